// What CloudAdapter's pipeline throws, sorted into the route's answers: a refused token is 401,
// Microsoft's sign-in metadata out of reach is 503, anything else is ours (500).
import { describe, expect, it } from 'vitest';
import { classifyProcessError } from '../../adapters/teams/errors.ts';

const withProps = (message: string, props: Record<string, unknown>) => Object.assign(new Error(message), props);

describe('classifyProcessError', () => {
  it('a refused token (botbuilder AuthenticationError 401, jsonwebtoken errors) is unauthorized', () => {
    expect(classifyProcessError(withProps('Unauthorized. No valid identity.', { statusCode: 401 })).kind).toBe('unauthorized');
    expect(classifyProcessError(withProps('invalid signature', { name: 'JsonWebTokenError' })).kind).toBe('unauthorized');
    expect(classifyProcessError(withProps('jwt expired', { name: 'TokenExpiredError' })).kind).toBe('unauthorized');
  });

  it('metadata that answers with an error or cannot be reached is upstream_unavailable, with the reason for the log', () => {
    expect(classifyProcessError(withProps('Failed to load openID config: 502', { statusCode: 500 }))).toEqual({ kind: 'upstream_unavailable', detail: 'Failed to load openID config: 502' });
    const fetchError = withProps('request to https://login.botframework.com/v1/.well-known/openidconfiguration failed, reason: getaddrinfo ENOTFOUND login.botframework.com', { name: 'FetchError', type: 'system', code: 'ENOTFOUND', errno: 'ENOTFOUND' });
    expect(classifyProcessError(fetchError)).toMatchObject({ kind: 'upstream_unavailable', detail: expect.stringMatching(/^ENOTFOUND: request to/) });
    expect(classifyProcessError(withProps('connect ECONNREFUSED 127.0.0.1:9', { code: 'ECONNREFUSED' })).kind).toBe('upstream_unavailable');
  });

  it('anything else is internal', () => {
    expect(classifyProcessError(new TypeError('endpoint.toLowerCase is not a function'))).toEqual({ kind: 'internal' });
    expect(classifyProcessError(undefined)).toEqual({ kind: 'internal' });
  });
});
