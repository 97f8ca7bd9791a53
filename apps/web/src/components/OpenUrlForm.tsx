import { useState, type FormEvent } from 'react';
import './url-import.css';

type Props = {
  /** Returns false when the URL was refused and the text should stay. */
  onOpen(url: string): boolean;
};

/**
 * The "Open URL" box: a blob URL with its SAS token. Not remembered by the
 * browser's form history (autocomplete off), and emptied once opened.
 */
export function OpenUrlForm({ onOpen }: Props) {
  const [text, setText] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (onOpen(text)) setText('');
  };

  return (
    <form className="open-url" onSubmit={submit} autoComplete="off" noValidate>
      <label className="visually-hidden" htmlFor="open-url-input">
        Blob URL with SAS token
      </label>
      <input
        id="open-url-input"
        className="open-url__input"
        data-testid="url-input"
        type="text"
        inputMode="url"
        spellCheck={false}
        autoCapitalize="off"
        autoCorrect="off"
        autoComplete="off"
        placeholder="https://account.blob.core.windows.net/container/capture.cap?sv=…"
        value={text}
        onChange={(event) => setText(event.target.value)}
      />
      <button type="submit" className="button" data-testid="url-open">
        Open URL
      </button>
    </form>
  );
}
