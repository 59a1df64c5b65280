export { createTroupeClient, type TroupeClient, type TroupeClientOptions } from './troupe-client.js';
