import type { PageError, PageErrorKind } from '../import/use-capture-import';

/** A lead-in naming the file; the message itself says what is wrong. */
function leadIn(kind: PageErrorKind, fileName: string): string {
  switch (kind) {
    case 'corrupt':
      return `${fileName} is damaged.`;
    case 'internal':
      return `Capscope failed on ${fileName}.`;
    case 'not-a-capture':
    case 'netmon':
    case 'unsupported-version':
    case 'unreadable':
    case 'network':
    case 'not-found':
      return `Cannot open ${fileName}.`;
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
      <strong>{leadIn(error.kind, fileName)}</strong> {error.message}
      {error.kind !== 'corrupt' && ' You can open another file.'}
    </div>
  );
}

function assertNever(value: never): never {
  throw new Error(`unhandled error kind: ${String(value)}`);
}
