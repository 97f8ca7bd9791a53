/** What the empty page says: where a capture goes and where it stays. */
export function StartHint() {
  return (
    <div className="start-hint">
      <p className="start-hint__title">Drop a capture here</p>
      <p>
        A pcap or pcapng file, also gzip-compressed: for example a{' '}
        <code>.cap</code> file from Azure Network Watcher. Or use the buttons
        above, or paste the blob's URL with its SAS token into the box.
      </p>
      <p className="start-hint__fine">
        The file is read in this browser tab, and a blob is fetched by it
        straight from storage. Nothing is uploaded.
      </p>
    </div>
  );
}
