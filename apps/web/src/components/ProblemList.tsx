import type { Problem } from '@capscope/parser/problems';
import { formatCount } from '../format';

type Props = {
  problems: readonly Problem[];
  /** All problems, including those past the kept list. */
  problemCount: number;
};

export function ProblemList({ problems, problemCount }: Props) {
  if (problemCount === 0) return null;
  const unlisted = problemCount - problems.length;

  return (
    <section className="problems" aria-labelledby="problems-title">
      <h2 id="problems-title">
        {problemCount === 1
          ? '1 problem'
          : `${formatCount(problemCount)} problems`}{' '}
        found while reading
      </h2>
      <ol className="problems__list">
        {problems.map((problem, index) => (
          <li key={index} data-testid="problem-item" data-kind={problem.kind}>
            <span className="problems__where">
              {problem.packet > 0 ? `Packet ${problem.packet}, ` : ''}
              byte {problem.offset}
            </span>{' '}
            {problem.message}
          </li>
        ))}
      </ol>
      {unlisted > 0 && (
        <p className="problems__more">
          {formatCount(unlisted)} more not listed.
        </p>
      )}
    </section>
  );
}
