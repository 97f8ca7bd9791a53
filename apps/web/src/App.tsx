import { useState } from 'react';
import { DropZone } from './components/DropZone';
import { ErrorMessage } from './components/ErrorMessage';
import { FlowTable } from './components/FlowTable';
import { ImportProgressBar } from './components/ImportProgressBar';
import { OpenControls } from './components/OpenControls';
import { ProblemList } from './components/ProblemList';
import { StartHint } from './components/StartHint';
import { Totals } from './components/Totals';
import { fetchSample, SAMPLE_NAME } from './import/fetch-sample';
import { useCaptureImport } from './import/use-capture-import';

export function App() {
  const capture = useCaptureImport();
  const { state } = capture;
  const [fetchingSample, setFetchingSample] = useState(false);

  const openFile = (file: File) => capture.open(file, file.name);
  const openSample = async () => {
    setFetchingSample(true);
    const sample = await fetchSample();
    setFetchingSample(false);
    if (sample.ok) capture.open(sample.blob, SAMPLE_NAME);
    else capture.fail(SAMPLE_NAME, sample.error);
  };

  return (
    <DropZone onFile={openFile}>
      <header className="app-header">
        <h1 className="app-header__name">Capscope</h1>
        <OpenControls
          onFile={openFile}
          onSample={() => void openSample()}
          busy={fetchingSample}
        />
      </header>

      <main className="app-main">
        {state.phase === 'idle' ? (
          <StartHint />
        ) : (
          <ImportProgressBar state={state} onCancel={capture.cancel} />
        )}

        {state.phase === 'error' && (
          <ErrorMessage error={state.error} fileName={state.fileName} />
        )}
        {state.phase === 'cancelled' && (
          <p className="notice">
            Import cancelled; nothing of it is kept. Open a file to start again.
          </p>
        )}

        {state.phase === 'running' && state.figures && (
          <Totals figures={state.figures} partial />
        )}

        {state.phase === 'done' && (
          <>
            {state.result.damage && (
              <ErrorMessage
                error={state.result.damage}
                fileName={state.fileName}
              />
            )}
            <Totals figures={state.result.figures} partial={false} />
            <ProblemList
              problems={state.result.problems}
              problemCount={state.result.figures.problemCount}
            />
            <FlowTable
              key={state.sessionId}
              columns={state.result.columns}
              timeDigits={state.result.timeDigits}
              names={state.result.names}
              sortFlows={capture.sortFlows}
            />
          </>
        )}
      </main>
    </DropZone>
  );
}
