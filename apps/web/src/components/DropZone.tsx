import { useState, type DragEvent, type ReactNode } from 'react';

type Props = {
  onFile(file: File): void;
  /** Takes every file of a drop; without it, only the first goes to onFile. */
  onFiles?(files: File[]): void;
  children: ReactNode;
};

function carriesFiles(event: DragEvent): boolean {
  return event.dataTransfer.types.includes('Files');
}

/**
 * Takes a capture dropped anywhere on the page; without it, the browser
 * would open a dropped file itself and leave the page.
 */
export function DropZone({ onFile, onFiles, children }: Props) {
  const [dragging, setDragging] = useState(false);

  const onDragOver = (event: DragEvent) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    setDragging(true);
  };
  const onDragLeave = (event: DragEvent) => {
    // Leaving for a child element is not leaving the page.
    const target = event.relatedTarget as Node | null;
    if (!event.currentTarget.contains(target)) setDragging(false);
  };
  const onDrop = (event: DragEvent) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    setDragging(false);
    const files = [...event.dataTransfer.files];
    if (onFiles && files.length > 0) onFiles(files);
    else if (files[0]) onFile(files[0]);
  };

  return (
    <div
      className={dragging ? 'drop-zone drop-zone--active' : 'drop-zone'}
      onDragOver={onDragOver}
      onDragLeave={onDragLeave}
      onDrop={onDrop}
    >
      {children}
    </div>
  );
}
