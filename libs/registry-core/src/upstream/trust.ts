// Upstream TLS trust lives with the native client it configures (@wharf/native-io trust.ts): the S3 store's reads use it too.
export { defaultTrustedCertificates, nativeTrust, trustedCertificates } from '@wharf/native-io';
