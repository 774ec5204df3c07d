import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { AdminAuth } from '#idtoken/admin';
import { SessionStore } from '../session.store.js';

class LiveSessionsView {
  @ApiProperty({ example: 12, description: 'Login sessions waiting for the phone now, across every node' })
  live: number;
  @ApiProperty({ format: 'date-time' })
  countedAt: string;
}

/**
 * How many X.1280 sessions are live — a count only: an operator never sees a session's OTP, tokenId or service
 * here (the OTP is a shared secret between browser and phone; spec §6.1).
 */
@ApiTags('admin')
@Controller('admin/sessions')
export class LiveSessionsController {
  constructor(private readonly sessions: SessionStore) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @AdminAuth('admin', 'operator')
  @ApiOperation({
    summary: 'Count of live login sessions on every node (no OTPs, no identifiers); walks the ephemeral store',
  })
  @ApiOkResponse({ type: LiveSessionsView })
  async count(): Promise<LiveSessionsView> {
    return { live: await this.sessions.countLiveSessions(), countedAt: new Date().toISOString() };
  }
}
