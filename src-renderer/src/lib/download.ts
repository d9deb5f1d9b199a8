/** Downloads made in the page from data the API returned: a Blob URL, revoked once the click has used it. */

const live = new Set<string>();

export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  live.add(url);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => revoke(url), 10_000);
}

export function base64ToBlob(contentBase64: string, mimeType: string): Blob {
  const bin = atob(contentBase64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Blob([bytes], { type: mimeType });
}

/** A Blob URL for showing (e.g. an image preview); revoked by revokeAll() on lock. */
export function objectUrl(blob: Blob): string {
  const url = URL.createObjectURL(blob);
  live.add(url);
  return url;
}

export function revoke(url: string): void {
  if (live.delete(url)) URL.revokeObjectURL(url);
}

/** Drop every Blob URL this page made (PHI: attachment content). */
export function revokeAll(): void {
  for (const url of live) URL.revokeObjectURL(url);
  live.clear();
}
