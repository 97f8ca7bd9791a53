import { useState, type DragEvent, type ReactNode } from 'react';

type Props = {
  onFile(file: File): void;
  children: ReactNode;
};

function carriesFiles(event: DragEvent): boolean {
  return event.dataTransfer.types.includes('Files');
}

/**
 * Takes a capture dropped anywhere on the page; without it, the browser
 * would open a dropped file itself and leave the page.
 */
export function DropZone({ onFile, children }: Props) {
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
    const file = event.dataTransfer.files[0];
    if (file) onFile(file);
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
