import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import { z } from 'zod';
import { parseRequest } from '#idtoken/platform';
import { actorOf } from '../api-keys/roles.js';
import { StationsService } from '../stations/stations.service.js';
import { AdminAuth, type AuthenticatedRequest } from './admin-auth.guard.js';

const CreateStationBody = z.object({ name: z.string().trim().min(1).max(100) }).strict();

class CreateStationRequest {
  @ApiProperty({ example: 'Town hall desk 2', maxLength: 100 })
  name: string;
}

class CreatedStationResponse {
  @ApiProperty({ format: 'uuid' })
  stationId: string;
  @ApiProperty()
  name: string;
  @ApiProperty({ description: 'Bearer key with role `station`, shown only in this response' })
  apiKey: string;
  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

class StationResponse {
  @ApiProperty({ format: 'uuid' })
  stationId: string;
  @ApiProperty()
  name: string;
  @ApiProperty({ format: 'date-time' })
  createdAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  disabledAt: string | null;
}

class StationListResponse {
  @ApiProperty({ type: [StationResponse] })
  stations: StationResponse[];
}

@ApiTags('admin')
@Controller('admin/stations')
export class StationsController {
  constructor(private readonly stations: StationsService) {}

  @Post()
  @HttpCode(201)
  @AdminAuth('admin')
  @ApiOperation({ summary: 'Register an issuance station and create its API key (spec §9)' })
  @ApiCreatedResponse({ type: CreatedStationResponse })
  async create(
    @Body() body: CreateStationRequest,
    @Req() request: AuthenticatedRequest,
  ): Promise<CreatedStationResponse> {
    const { name } = parseRequest(CreateStationBody, body);
    const station = await this.stations.create(name, {
      actor: actorOf(request.principal),
      requestId: request.id,
      ip: request.ip,
    });
    return { ...station, createdAt: station.createdAt.toISOString() };
  }

  @Get()
  @AdminAuth('admin', 'operator')
  @ApiOperation({ summary: 'Every issuance station, with when it was disabled (never a key)' })
  @ApiOkResponse({ type: StationListResponse })
  async list(): Promise<StationListResponse> {
    const stations = await this.stations.list();
    return {
      stations: stations.map((station) => ({
        stationId: station.stationId,
        name: station.name,
        createdAt: station.createdAt.toISOString(),
        disabledAt: station.disabledAt?.toISOString() ?? null,
      })),
    };
  }

  @Delete(':stationId')
  @HttpCode(204)
  @AdminAuth('admin')
  @ApiOperation({ summary: 'Disable a station: it issues nothing more and its API keys are revoked at once' })
  @ApiNoContentResponse({ description: 'Disabled (also when it already was)' })
  @ApiNotFoundResponse({ description: 'problem+json `not_found`: no such station' })
  async disable(@Param('stationId') stationId: string, @Req() request: AuthenticatedRequest): Promise<void> {
    await this.stations.disable(stationId, {
      actor: actorOf(request.principal),
      requestId: request.id,
      ip: request.ip,
    });
  }
}
