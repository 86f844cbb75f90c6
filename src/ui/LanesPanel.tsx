// The race: one row per lane (colour, name, config summary, step, loss, val overall and per family, agreement with the
// Bayes answers when the pack has them, remove), a click selects the lane the knobs edit; add a lane (a copy of the
// selected one); race presets (`race-select`); where two lanes first separated (`lane-separated`, core/separation).
import { PickerSelect } from './PickerSelect';
import { useLab } from '../store';
import { canAddLane, configSummary, type StoreLane } from '../store/lanes';
import { raceById, RACES } from '../store/races';
import { valueAt } from '../core/kd/terms';
import { useController } from './useController';
import { useSeparation } from './useSeparation';

const NO_FAMILIES: string[] = [];
/** A percentage, or "—" before the lane's first evaluation (never a 0.0 % that was not measured). */
const pct = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '—' : `${x.toFixed(1)}%`);

function LaneRow(props: {
  lane: StoreLane;
  selected: boolean;
  families: string[];
  only: boolean;
  compare: boolean;
  bayes: boolean;
}) {
  const lab = useController();
  const { lane: l, selected, families, only } = props;
  const evaluated = l.evals.at(-1);
  const last = evaluated && evaluated.step > 0 ? evaluated : undefined; // step 0: the untrained student, shown as "—"
  // the ground-truth CE, measured alike in every lane (a total adds terms that differ between lanes: issue 29)
  const loss = l.lastValues ? valueAt(l.lastValues, 0, 'ce') : NaN;
  return (
    <tr
      data-testid="lane-row"
      data-lane={l.id}
      aria-selected={selected}
      className={selected ? 'sel' : undefined}
      tabIndex={0}
      onClick={() => lab.selectLane(l.id)}
      onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), lab.selectLane(l.id))}
    >
      <td>
        <span className="swatch" style={{ background: l.color }} aria-hidden="true" />
        <b data-testid="lane-name">{l.name}</b>
        <div className="summary">{configSummary(l.config)}</div>
      </td>
      <td className="num" data-testid="lane-step">
        {l.step}
      </td>
      <td className="num" data-testid="lane-loss">
        {Number.isFinite(loss) ? loss.toFixed(3) : '–'}
      </td>
      <td className="num" data-testid="lane-val">
        {pct(last?.overall)}
      </td>
      {props.bayes ? (
        <td className="num" data-testid="lane-bayes">
          {pct(last?.bayesOverall)}
        </td>
      ) : null}
      <td className="fam">{families.map((f, i) => `${f} ${pct(last?.perFamily[i])}`).join(' · ')}</td>
      <td onClick={(e) => e.stopPropagation()}>
        {!selected ? (
          <label className="check" title="show this lane's student beside the selected one on the same sample">
            <input
              type="checkbox"
              checked={props.compare}
              onChange={(e) => lab.setCompare(e.target.checked ? l.id : null)}
              aria-label={`compare ${l.name} on the sample`}
            />{' '}
            compare
          </label>
        ) : null}
        <button
          data-testid="lane-remove"
          disabled={only}
          onClick={() => lab.removeLane(l.id)}
          aria-label={`remove ${l.name}`}
        >
          ✕
        </button>
      </td>
    </tr>
  );
}

const RACE_PICKER = { label: 'Race', testId: 'race-select', none: '(your lanes)', options: RACES };

export function RaceSelect() {
  const lab = useController();
  const id = useLab((s) => s.raceId);
  const r = raceById(id);
  return (
    <PickerSelect {...RACE_PICKER} value={id} onPick={lab.applyRace}>
      {r ? <p className="found">{r.about}</p> : null}
    </PickerSelect>
  );
}

export function LanesPanel() {
  const lab = useController();
  const lanes = useLab((s) => s.lanes);
  const selected = useLab((s) => s.selectedLane);
  const compare = useLab((s) => s.compareLane);
  const pack = useLab((s) => s.pack);
  const families = pack?.families ?? NO_FAMILIES;
  const bayes = pack?.hasBayesAnswers === true;
  const sep = useSeparation();
  return (
    <section className="card lanes" data-testid="lanes" aria-label="race lanes" id="lanes-panel" tabIndex={-1}>
      <header>
        <h2>Lanes</h2>
        <span>
          every lane steps once per race step, on the same batches when the data and batch size match; click a row to
          edit it
        </span>
        <button
          data-testid="lane-add"
          disabled={!canAddLane(lanes)}
          onClick={lab.addLane}
          title="a fresh student with the selected lane's config"
        >
          + lane
        </button>
      </header>
      <div className="scroll">
        <table>
          <thead>
            <tr>
              <th>lane</th>
              <th>step</th>
              <th title="the latest step's ground-truth CE (nats per answer token): every lane measures it, whatever its weights; the loss chart's 'per lane' menu shows the other terms">
                train CE
              </th>
              <th>val</th>
              {bayes ? (
                <th title="how often the lane's answer is the Bayes answer (the generator's most probable one), on the same val samples">
                  agrees w/ Bayes
                </th>
              ) : null}
              <th>val per family</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {lanes.map((l) => (
              <LaneRow
                key={l.id}
                lane={l}
                selected={l.id === selected}
                families={families}
                only={lanes.length === 1}
                compare={l.id === compare}
                bayes={bayes}
              />
            ))}
          </tbody>
        </table>
      </div>
      {sep ? (
        <p
          className="hint lane-separated"
          data-testid="lane-separated"
          data-step={sep.step}
          title="their val exact matches differ by more than the binomial 95 % interval of the difference on the shared fixed val samples"
        >
          <b>{lanes[sep.lanes[0]]?.name}</b> and <b>{lanes[sep.lanes[1]]?.name}</b> separated at step {sep.step}:{' '}
          {sep.acc[0].toFixed(1)} % vs {sep.acc[1].toFixed(1)} %, a {sep.gap.toFixed(1)}-point gap beyond ±
          {sep.margin.toFixed(1)}
          {pack ? ` on ${pack.evalSamples} val samples` : ''}
        </p>
      ) : null}
    </section>
  );
}
