// s3://bucket/key over HTTPS: AWS virtual-hosted URLs by default, path-style for a custom endpoint
// (MinIO, Ceph…). Public buckets are read unsigned; with credentials, requests are SigV4-signed.
import { AwsClient } from 'aws4fetch';
import { HttpSource, type RequestSigner } from './http';
import { StorageError, type S3Credentials, type StorageOptions } from './types';

/** Node's environment when there is one (the browser has none). */
function env(): Record<string, string | undefined> {
  const p = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return p?.env ?? {};
}

export function parseS3Url(u: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]*)\/?(.*)$/i.exec(u);
  if (!m || m[1] === '') throw new StorageError(u, 'not an s3://bucket/key URL (no bucket)');
  if (m[2] === '') throw new StorageError(u, 'not an s3://bucket/key URL (no key)');
  return { bucket: m[1], key: m[2] };
}

export interface S3Settings {
  region: string;
  endpoint: string | null;
  credentials: S3Credentials | null;
}

/** Options first, then (in Node) AWS_REGION / AWS_DEFAULT_REGION, AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID… */
export function s3Settings(opts: StorageOptions = {}): S3Settings {
  const e = env();
  const region = opts.region ?? e.AWS_REGION ?? e.AWS_DEFAULT_REGION ?? 'us-east-1';
  const endpoint = opts.endpoint ?? e.AWS_ENDPOINT_URL_S3 ?? e.AWS_ENDPOINT_URL ?? e.S3_ENDPOINT_URL ?? null;
  let credentials: S3Credentials | null = opts.credentials ?? null;
  const noSign = opts.anonymous === true || /^(1|true|yes)$/i.test(e.AWS_NO_SIGN_REQUEST ?? '');
  if (!credentials && !noSign && e.AWS_ACCESS_KEY_ID && e.AWS_SECRET_ACCESS_KEY) {
    credentials = { accessKeyId: e.AWS_ACCESS_KEY_ID, secretAccessKey: e.AWS_SECRET_ACCESS_KEY, sessionToken: e.AWS_SESSION_TOKEN };
  }
  if (noSign) credentials = null;
  return { region, endpoint: endpoint || null, credentials };
}

function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/** The HTTPS URL an s3:// URL is fetched from. */
export function s3HttpsUrl(u: string, s: Pick<S3Settings, 'region' | 'endpoint'>): string {
  const { bucket, key } = parseS3Url(u);
  const k = encodeKey(key);
  if (s.endpoint) return `${s.endpoint.replace(/\/+$/, '')}/${bucket}/${k}`;
  // Dotted bucket names break the *.s3 TLS wildcard: use path style for them.
  if (bucket.includes('.')) return `https://s3.${s.region}.amazonaws.com/${bucket}/${k}`;
  return `https://${bucket}.s3.${s.region}.amazonaws.com/${k}`;
}

export function openS3(u: string, opts: StorageOptions = {}): HttpSource {
  const s = s3Settings(opts);
  const httpsUrl = s3HttpsUrl(u, s);
  let signer: RequestSigner | undefined;
  if (s.credentials) {
    const client = new AwsClient({ ...s.credentials, service: 's3', region: s.region, retries: 0 });
    signer = (url, init) => client.sign(url, init);
  }
  return new HttpSource(u, httpsUrl, opts, signer);
}
