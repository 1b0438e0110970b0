export { ApiClient, basicAuthorization, type Credentials, type RepositoryJsonByType, type RepositoryViewByType } from './client';
export { ApiProvider, useApi } from './context';
export { ApiError, describeError, isApiError } from './errors';
export * from './oci';
