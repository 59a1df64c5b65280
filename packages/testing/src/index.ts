export { freePort } from './free-port.js';
export { startNatsServer, type NatsServer, type NatsServerOptions } from './nats-server.js';
