/** Checks on a patient's upload before it joins the encrypted document vault of the consoles. */
import { HttpError } from '../http/errors';

export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

/** Allowed types and the leading bytes their content must start with (null: any text). */
const ALLOWED: Record<string, number[][] | null> = {
  'application/pdf': [[0x25, 0x50, 0x44, 0x46]],
  'image/png': [[0x89, 0x50, 0x4e, 0x47]],
  'image/jpeg': [[0xff, 0xd8, 0xff]],
  'image/gif': [[0x47, 0x49, 0x46, 0x38]],
  'text/plain': null,
};

const bad = (message: string) => new HttpError(400, 'VALIDATION', message);

export function checkAttachment(fileName: string, mimeType: string, contentBase64: string): Buffer {
  // File names are shown and later saved by the console: no paths, control characters or dot-names.
  const control = [...fileName].some((ch) => ch.charCodeAt(0) < 32 || ch.charCodeAt(0) === 127);
  if (control || /[/\\]/.test(fileName) || /^\.+$/.test(fileName) || fileName.trim() !== fileName) {
    throw bad('The attachment file name is not allowed.');
  }
  const type = mimeType.toLowerCase();
  if (!(type in ALLOWED)) throw bad('Attachments must be PDF, PNG, JPEG, GIF or plain text.');
  if (contentBase64.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(contentBase64)) {
    throw bad('The attachment content is not valid base64.');
  }
  const content = Buffer.from(contentBase64, 'base64');
  if (content.length === 0) throw bad('The attachment is empty.');
  if (content.length > MAX_ATTACHMENT_BYTES)
    throw new HttpError(413, 'PAYLOAD_TOO_LARGE', 'Attachments are limited to 10 MB.');
  const magic = ALLOWED[type];
  if (magic && !magic.some((prefix) => prefix.every((byte, i) => content[i] === byte))) {
    throw bad('The attachment content does not match its type.');
  }
  return content;
}
