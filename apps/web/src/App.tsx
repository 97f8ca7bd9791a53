import { CaptureProperties } from './components/CaptureProperties';
import { useState } from 'react';
import { DatasetBar } from './components/DatasetBar';
import { DatasetList } from './components/DatasetList';
import { DropZone } from './components/DropZone';
import { ErrorMessage } from './components/ErrorMessage';
import { FlowTable } from './components/FlowTable';
import { ImportProgressBar } from './components/ImportProgressBar';
import { ImportRecovery } from './components/ImportRecovery';
import { OpenControls } from './components/OpenControls';
import { OpenUrlForm } from './components/OpenUrlForm';
import { ProblemList } from './components/ProblemList';
import { StartHint } from './components/StartHint';
import { Totals } from './components/Totals';
import { UrlConfirm } from './components/UrlConfirm';
import { useDatasets } from './datasets/use-datasets';
import { FilterBar } from './filter/FilterBar';
import { FilterProvider } from './filter/filter-context';
import { FilteredTotals } from './filter/FilteredTotals';
import { fetchSample, SAMPLE_NAME } from './import/fetch-sample';
import { useCaptureImport } from './import/use-capture-import';
import { useUrlImport } from './import/use-url-import';
import { useLaunchFiles } from './pwa/use-launch-files';
import { AnalysisViews } from './views/AnalysisViews';

export function App() {
  const capture = useCaptureImport();
  const { state } = capture;
  const urlImport = useUrlImport(capture);
  const datasets = useDatasets(capture);
  const [fetchingSample, setFetchingSample] = useState(false);

  const openFile = (file: File) => datasets.openFiles([file]);
  // Files dropped on a dataset on screen are added to it.
  const dropFiles = (files: File[]) =>
    state.phase === 'done' && datasets.current
      ? datasets.addFiles(files)
      : datasets.openFiles(files);
  useLaunchFiles(openFile);
  const openSample = async () => {
    setFetchingSample(true);
    const sample = await fetchSample();
    setFetchingSample(false);
    if (sample.ok) capture.open(sample.blob, SAMPLE_NAME);
    else capture.fail(SAMPLE_NAME, sample.error);
  };

  const page = (
    <DropZone onFile={openFile} onFiles={dropFiles}>
      <header className="app-header">
        <h1 className="app-header__name">Capscope</h1>
        <OpenControls
          onFile={openFile}
          onFiles={datasets.openFiles}
          onSample={() => void openSample()}
          busy={fetchingSample}
        />
        <OpenUrlForm onOpen={urlImport.open} />
      </header>

      <main className="app-main">
        {urlImport.pending && (
          <UrlConfirm
            request={urlImport.pending}
            onOpen={urlImport.confirm}
            onCancel={urlImport.dismiss}
          />
        )}
        {state.phase === 'idle' ? (
          <>
            <StartHint />
            <DatasetList datasets={datasets} />
          </>
        ) : (
          <ImportProgressBar state={state} onCancel={capture.cancel} />
        )}

        {state.phase === 'error' && (
          <ErrorMessage error={state.error} fileName={state.fileName} />
        )}
        {state.phase === 'error' && (
          <ImportRecovery state={state} onRetry={capture.retry} />
        )}
        {state.phase === 'error' && (
          <DatasetBar datasets={datasets} fileName={state.fileName}
            shown={false} />
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
            <DatasetBar datasets={datasets} fileName={state.fileName} shown />
            {state.result.damage && (
              <ErrorMessage
                error={state.result.damage}
                fileName={state.fileName}
              />
            )}
            <FilterBar totalFlows={state.result.figures.flows} />
            <FilteredTotals figures={state.result.figures} />
            <CaptureProperties
              result={state.result}
              fileBytes={state.progress.bytesTotal}
            />
            <ProblemList
              problems={state.result.problems}
              problemCount={state.result.figures.problemCount}
            />
            <AnalysisViews
              worker={capture.workerApi()}
              sessionId={state.sessionId}
              flows={
                <FlowTable
                  key={state.sessionId}
                  columns={state.result.columns}
                  timeDigits={state.result.timeDigits}
                  names={state.result.names}
                  sortFlows={capture.sortFlows}
                />
              }
            />
          </>
        )}
      </main>
    </DropZone>
  );

  // The filter applies to whichever capture is ready, and every view in
  // the page reads it.
  const ready = state.phase === 'done';
  return (
    <FilterProvider
      worker={ready ? capture.workerApi() : null}
      captureId={ready ? state.sessionId : null}
      datasetId={datasets.current?.id ?? null}
    >
      {page}
    </FilterProvider>
  );
}
