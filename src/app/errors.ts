// Turn any loading failure into words for a person: what failed, which file, and what to do.
import type { UiError } from '../state/store';

// A URL or a data-file path, optionally with a FITS HDU in brackets.
const FILE_RE = /(?:https?|s3|file|blob):\/\/[^\s'",;]+|[\w./-]+\.(?:ya?ml|fits(?:\.gz|\.fz)?|fz|gz)(?:\[[^\]]*\])?/i;

function firstFile(message: string): string | undefined {
  // A URL runs to the next space; the ':' that separates it from the message is not part of it.
  return FILE_RE.exec(message)?.[0].replace(/:+$/, '');
}

/** Explain an error raised while opening `manifestUrl` (errors may come from a worker: only name/message survive). */
export function explainError(err: unknown, manifestUrl: string): UiError {
  const e = err as { name?: string; message?: string; url?: string };
  const message = e?.message ?? String(err);
  const name = e?.name ?? '';
  const file = e?.url ?? firstFile(message);
  const isManifest = file !== undefined && file.split('[')[0] === manifestUrl;

  if (name === 'ManifestError' || /^\S+: (not valid YAML|expected a YAML mapping|not UTF-8 text)/.test(message))
    return {
      title: 'The manifest is malformed',
      file: e?.url ?? manifestUrl,
      detail: message,
      fix: 'Correct the fields listed above in the manifest (schema: tile_id, sub_tile_row, sub_tile_col, sky_bounds, quadrants with sci_path/psf_path/quadrant/…, source_catalog, source_ids, core_source_ids), then open it again.',
    };
  const http = /\(HTTP (\d{3})\)|HTTP (\d{3})/.exec(message);
  const status = http ? Number(http[1] ?? http[2]) : undefined;
  if (status === 404)
    return isManifest
      ? {
          title: 'Manifest not found (HTTP 404)',
          file,
          detail: message,
          fix: 'Check the manifest URL for typos, and that the server serves that folder (relative URLs are relative to this page).',
        }
      : {
          title: 'A file the manifest refers to is missing (HTTP 404)',
          file,
          detail: message,
          fix: "Check that path in the manifest — relative paths are resolved against the manifest's own URL — and that the file was uploaded next to it.",
        };
  if (status === 403 || status === 401)
    return {
      title: `Access denied (HTTP ${status})`,
      file,
      detail: message,
      fix: 'The bucket or server refuses anonymous reads: make the objects public, or open the sub-tile from the command line with credentials.',
    };
  if (/local path cannot be read in the browser/.test(message))
    return {
      title: 'A local path cannot be opened from the browser',
      file,
      detail: message,
      fix: 'Give an http(s):// or s3:// URL, serve the folder with `npx shearwb serve --data <folder>`, or drop the sub-tile folder on this page.',
    };
  if (/Failed to fetch|NetworkError|ECONNREFUSED|no answer within/i.test(message))
    return {
      title: 'The server did not answer',
      file,
      detail: message,
      fix: 'Check the address and your connection; a server on another origin must allow cross-origin requests (CORS) and expose Content-Range.',
    };
  if (/not found in the dropped files|was not dropped/i.test(message))
    return { title: 'A file is missing from the dropped files', file, detail: message, fix: 'Drop the whole sub-tile folder (manifest, exposures/, psf/, catalogue) at once.' };
  return {
    title: 'The sub-tile could not be prepared',
    file,
    detail: message,
    fix: 'The file named above is not what the manifest says it is (wrong HDU names, shapes or headers). Check it, or the manifest entry that points to it.',
  };
}
