// Runs: every run kept with its config and curves (IndexedDB), a table with final val accuracy per family, overlay
// in the loss chart, delete, CSV / JSON export, JSON import, and the student's weights as safetensors.
import { selectLive } from '../store/selectors';
import { useLab } from '../store';
import { lastEval, type RunRecord } from '../store/runs';
import { useStoredRecords } from '../store/storedRecords';
import { useController } from './useController';
import { runs } from './runsController';
import { useThrottledVersion } from './useThrottledVersion';

const pct = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v.toFixed(1) : '–');

function Row({ r, live }: { r: RunRecord; live: boolean }) {
  const overlay = useLab((s) => s.settings.overlay.includes(r.id));
  const selected = useLab((s) => (s.selectedRunId ?? selectLive(s)?.id ?? null) === r.id);
  const partial = useStoredRecords((s) => (live ? undefined : s.partial[r.id]));
  const e = lastEval(r);
  const n = r.metrics.step.length;
  const loss = n ? r.metrics.values.total[n - 1] : NaN;
  return (
    <tr className={selected ? 'sel' : undefined}>
      <td>
        <input
          type="checkbox"
          checked={live || overlay}
          disabled={live}
          aria-label={`overlay ${r.name} in the loss chart`}
          onChange={() => useLab.getState().toggleOverlay(r.id)}
        />
      </td>
      <td>
        <input
          type="radio"
          name="export-target"
          checked={selected}
          aria-label={`export ${r.name}`}
          onChange={() => useLab.getState().selectRun(live ? null : r.id)}
        />
      </td>
      <td>
        {r.name}
        {live ? <span className="pill">live</span> : null}
        {r.imported ? <span className="pill">imported</span> : null}
        {partial ? (
          <span
            className="pill"
            title={`storage was full: only ${partial.kept} of the run's ${partial.total} steps were saved`}
            data-testid="run-partial"
          >
            partial: {partial.kept} of {partial.total} steps
          </span>
        ) : null}
      </td>
      <td>{r.pack.replace(/\.safetensors(\.gz)?$/, '')}</td>
      <td className="num">{n ? r.metrics.step[n - 1] : 0}</td>
      <td className="num">{Number.isFinite(loss) ? loss.toFixed(3) : '–'}</td>
      <td className="num">{pct(e?.overall)}</td>
      <td className="fam">{e ? r.families.map((f, i) => `${f} ${pct(e.perFamily[i])}`).join(' · ') : '–'}</td>
      <td>
        {live ? null : (
          <button className="del" aria-label={`delete ${r.name}`} onClick={() => runs.remove(r.id)}>
            delete
          </button>
        )}
      </td>
    </tr>
  );
}

export function RunsPanel() {
  const lab = useController();
  useThrottledVersion(1000);
  const kept = useLab((s) => s.runs);
  const liveId = useLab((s) => selectLive(s)?.id ?? null);
  const live = liveId ? useLab.getState().liveRecord() : null;
  const rows = [...kept.filter((r) => r.id !== liveId), ...(live ? [live] : [])];
  return (
    <section className="card runs">
      <header>
        <h2>Runs</h2>
        <button data-testid="export-csv" onClick={runs.exportCsv} disabled={rows.length === 0}>
          Export CSV
        </button>
        <button data-testid="export-json" onClick={runs.exportJson} disabled={rows.length === 0}>
          Export JSON
        </button>
        <label className="filebtn">
          Import JSON
          <input
            type="file"
            accept=".json,application/json"
            data-testid="import-json"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void runs.importJson(f);
              e.target.value = '';
            }}
          />
        </label>
        <button
          data-testid="export-weights"
          onClick={lab.exportWeights}
          title="the live student's weights as a .safetensors file"
        >
          Export weights
        </button>
        <span className="hint">exports act on the selected run</span>
      </header>
      <div className="scroll" tabIndex={0} role="region" aria-label="runs table">
        <table data-testid="runs-table">
          <thead>
            <tr>
              <th scope="col">overlay</th>
              <th scope="col">export</th>
              <th scope="col">run</th>
              <th scope="col">pack</th>
              <th scope="col">steps</th>
              <th scope="col">loss</th>
              <th scope="col">val %</th>
              <th scope="col">per family (val %)</th>
              <th scope="col">
                <span className="sr">actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <Row key={r.id} r={r} live={r.id === liveId} />
            ))}
          </tbody>
        </table>
        {rows.length === 0 ? (
          <p className="hint">No runs yet: press Train. Every run is kept here, also after a reload.</p>
        ) : null}
      </div>
    </section>
  );
}
