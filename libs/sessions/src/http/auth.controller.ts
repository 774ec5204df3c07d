import { Body, Controller, Get, Headers, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { parseRequest } from '#idtoken/platform';
import { SessionService } from '../session.service.js';
import {
  DenyRequest,
  DenyResponse,
  InitiateRequest,
  InitiateResponse,
  SessionStatusResponse,
  VerifyRequestDto,
  VerifyResponse,
} from './auth.dtos.js';
import { BearerWsToken, DenyBody, InitiateBody, SessionIdParam, VerifyBody } from './auth.schemas.js';

/** spec §6.1, §6.2, §6.4 fallback: the REST side of the X.1280 login. Errors are problem+json with spec codes. */
@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly sessions: SessionService) {}

  @Post('initiate')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Start a session (relying party: Basic serviceId:secret, or an RFC 7523 client_assertion, unless publicInitiate). ' +
      '401 service_unauthenticated, ' +
      '404 enrollment_not_found, 403 enrollment_revoked / service_not_trusted, 422 invalid_scope, 429 rate_limited / ' +
      'too_many_attempts',
  })
  @ApiOkResponse({ type: InitiateResponse })
  async initiate(
    @Body() body: InitiateRequest,
    @Headers('authorization') authorization: string | undefined,
    @Req() request: FastifyRequest,
  ): Promise<InitiateResponse> {
    const { client_assertion_type, client_assertion, ...fields } = parseRequest(InitiateBody, body);
    return this.sessions.initiate({
      ...fields,
      authorization,
      clientAssertionType: client_assertion_type,
      clientAssertion: client_assertion,
      ip: request.ip,
    });
  }

  @Post('verify')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Approve a session (device). 404 session_not_found, 403 token_mismatch / enrollment_revoked, 400 stale_timestamp, ' +
      '401 invalid_signature / invalid_otp, 422 scope_inflation, 429 too_many_attempts',
  })
  @ApiOkResponse({ type: VerifyResponse })
  async verify(@Body() body: VerifyRequestDto, @Req() request: FastifyRequest): Promise<VerifyResponse> {
    return this.sessions.verify(parseRequest(VerifyBody, body), { requestId: request.id, ip: request.ip });
  }

  @Post('deny')
  @HttpCode(200)
  @ApiOperation({ summary: 'Deny a session (device-signed, spec §5.1 action `deny`, fields `{sessionId}`)' })
  @ApiOkResponse({ type: DenyResponse })
  async deny(@Body() body: DenyRequest, @Req() request: FastifyRequest): Promise<DenyResponse> {
    const { sessionId, ...envelope } = parseRequest(DenyBody, body);
    return this.sessions.deny(sessionId, envelope, { requestId: request.id, ip: request.ip });
  }

  @Get('sessions/:sessionId')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Poll a session (relying party, Bearer wsToken; spec §6.4 fallback). 404 session_not_found',
  })
  @ApiOkResponse({ type: SessionStatusResponse })
  async status(
    @Param('sessionId') rawSessionId: string,
    @Headers('authorization') authorization: string | undefined,
  ): Promise<SessionStatusResponse> {
    const sessionId = parseRequest(SessionIdParam, rawSessionId, 'sessionId');
    const wsToken = parseRequest(BearerWsToken, authorization ?? '', 'Authorization header');
    return this.sessions.status(sessionId, wsToken);
  }
}
