import { displayText } from '../display-text';
import type { PageError, PageErrorKind } from '../import/use-capture-import';
import { CorsHelp } from './CorsHelp';

/** A lead-in naming the file; the message itself says what is wrong. */
function leadIn(kind: PageErrorKind, fileName: string): string {
  switch (kind) {
    case 'corrupt':
      return `${fileName} is damaged.`;
    case 'internal':
      return `Capscope failed on ${fileName}.`;
    case 'crashed':
      return `Capscope stopped while reading ${fileName}.`;
    case 'not-a-capture':
    case 'netmon':
    case 'unsupported-version':
    case 'unreadable':
    case 'network':
    case 'not-found':
    case 'bad-url':
    case 'cors':
    case 'sas-expired':
    case 'sas-not-yet-valid':
    case 'sas-permission':
    case 'auth-failed':
    case 'range-not-satisfiable':
    case 'blob-changed':
    case 'storage-error':
      return `Cannot open ${fileName}.`;
    case 'storage-full':
    case 'storage':
      return `Cannot keep ${fileName} in this browser.`;
    default:
      return assertNever(kind);
  }
}

type Props = {
  error: PageError;
  fileName: string;
};

/** The message is plain text from the worker, shown as text, never HTML. */
export function ErrorMessage({ error, fileName }: Props) {
  return (
    <div
      className="error-message"
      role="alert"
      data-testid="error-message"
      data-kind={error.kind}
    >
      <strong>{leadIn(error.kind, displayText(fileName))}</strong> {error.message}
      {error.cors && <CorsHelp advice={error.cors} />}
      {error.kind !== 'corrupt' && !error.cors && ' You can open another file.'}
    </div>
  );
}

function assertNever(value: never): never {
  throw new Error(`unhandled error kind: ${String(value)}`);
}
