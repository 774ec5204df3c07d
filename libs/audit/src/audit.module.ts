import { Global, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditTrail } from './audit-trail.js';

@Global()
@Module({
  providers: [
    {
      provide: AuditTrail,
      inject: [DataSource],
      useFactory: (dataSource: DataSource) => new AuditTrail(dataSource),
    },
  ],
  exports: [AuditTrail],
})
export class AuditModule {}
