// Public API of @wharf/native-io: the native I/O addon (libs/native-io/native) and thin wrappers. Every
// function degrades to "not possible here" (false/null) when the addon is missing, so callers keep a
// JavaScript way.
export { nativeIoAvailable } from './addon';
export type { IncomingBody, ReceiveOptions } from './incoming-body';
export { Gate } from './gate';
export { sendFileToSocket, zeroCopyTransfers } from './send-file';
export { dupFd, ingestSocket, socketIngests } from './socket-ingest';
