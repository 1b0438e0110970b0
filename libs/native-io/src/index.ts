// Public API of @wharf/native-io: the native I/O addon (libs/native-io/native) and thin wrappers. Every
// function degrades to "not possible here" (false/null) when the addon is missing, so callers keep a
// JavaScript way.
export { type MallocStats, dupFd, mallocStats, nativeIoAvailable, releaseFreeMemory } from './addon';
export { BodyStream, type BodyStreamOptions } from './body-stream';
export { type BodyFraming, NativeConnection, nativeReceives, TlsTrust } from './connection';
export { Gate } from './gate';
export { Hasher } from './hasher';
export type { IncomingBody, ReceiveOptions } from './incoming-body';
export { sendFileToSocket, zeroCopyTransfers } from './send-file';

export { defaultTrustedCertificates, nativeTrust, trustedCertificates } from './trust';
