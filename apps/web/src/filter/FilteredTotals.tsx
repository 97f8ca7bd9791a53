import { Totals } from '../components/Totals';
import type { CaptureFigures } from '../worker/protocol';
import { useFilter } from './filter-context';

type Props = {
  /** The capture's own figures, from its import. */
  figures: CaptureFigures;
};

/** The totals for the current filter: the kept flows' figures, if any. */
export function FilteredTotals({ figures }: Props) {
  const filtered = useFilter().figures;
  const shown =
    filtered && filtered.filtered ? { ...figures, ...filtered } : figures;
  return <Totals figures={shown} partial={false} />;
}
