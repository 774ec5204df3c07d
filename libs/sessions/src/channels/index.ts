// spec §6.4 browser channel: socket.io namespace `/session` and the Origin check of every socket handshake.
export { OriginCheckingIoAdapter } from './origin-checking-io.adapter.js';
export { SessionGateway } from './session.gateway.js';
export { SessionOrigins, originOf } from './session-origins.js';
