/** The AWS SDK's documented switch for its Node.js version notice (aws/aws-sdk-js-v3#7983). */
export const NODE_VERSION_NOTICE_SWITCH = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

/**
 * Called before every S3 client is made. The AWS SDK emits a process warning (NodeVersionSupportWarning,
 * https://a.co/c895JFp) on the first client of a process running Node.js < 22: SDK releases after January 2027
 * will need Node 22. Wharf runs on Node 20 by design and the SDK version is the one package-lock.json pins, so
 * the notice asks nothing of an operator; printed, it is a stray line on stderr (or a JSON log line at warn
 * level) from every process with an S3 store. Only this notice is switched off, through the SDK's own switch:
 * every other warning is printed as before. An operator who sets the variable (to anything) decides.
 */
export function withoutNodeVersionNotice(): void {
  process.env[NODE_VERSION_NOTICE_SWITCH] ??= 'true';
}
