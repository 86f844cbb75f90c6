// The lab: header, run controls and knobs on the left; lanes, charts, alignment views, samples and runs on the right, each
// panel in its own error boundary (one that throws shows what failed; the rest works on). The worker starts on mount.
// Above them: the explainer, the help links and the glossary (Explainer.tsx, Glossary.tsx); Space anywhere (keys.ts).
import { selectConfig } from '../store/selectors';
import { type ComponentType, type ReactNode, useEffect, useState } from 'react';
import { AccuracyChart } from './AccuracyChart';
import { AffinityOverlay } from './AffinityOverlay';
import { AlignmentHeatmap } from './AlignmentHeatmap';
import { AlignmentOverTime } from './AlignmentOverTime';
import { BackendBadge } from './BackendBadge';
import { CopyLink, FirstVisitHint, ThemeToggle } from './Chrome';
import { Explainer, jumpTo, TopNav, useProjectorScale } from './Explainer';
import { ControlsPanel, RunButtons } from './ControlsPanel';
import { LabController } from './controller';
import { ErrorBanner, StoredSkipped } from './ErrorBanner';
import { FindingsPanel } from './FindingsPanel';
import { Glossary } from './Glossary';
import { installSpaceKey } from './keys';
import { LessonPanel, LessonSelect } from './Lesson';
import { LanesPanel, RaceSelect } from './LanesPanel';
import { LossChart } from './LossChart';
import { PackPicker } from './PackPicker';
import { PanelBoundary } from './PanelBoundary';
import { PresetSelect } from './PresetSelect';
import { RecipeExport } from './RecipeExport';
import { RunsPanel } from './RunsPanel';
import { SampleViewer } from './SampleViewer';
import { packIdOf } from './shippedPacks';
import { fairFor, STUDIES, studyFor } from './studyData';
import { ControllerContext, useController } from './useController';
import { useLab } from '../store';
import { RACES, type RacePreset } from '../store/races';
import './lab.css';
import './ux.css';

/** The "What matters" panel for the loaded pack (the shipped study JSON), its rows racing a finding's conditions. */
function Findings() {
  const lab = useController();
  const pack = useLab((s) => s.pack);
  const id = pack ? packIdOf(pack.name) : 'shapes';
  const study = studyFor(id ?? 'shapes');
  const others = Object.values(STUDIES).filter((x) => x !== study);
  return (
    <FindingsPanel
      study={study}
      others={others}
      fair={fairFor(id ?? 'shapes')}
      onRace={(lanes) => raceConditions(lab, lanes)}
    />
  );
}

/** "Race these conditions": the finding's race preset (so the Race menu names it), started, and the lanes in view. */
function raceConditions(lab: LabController, lanes: RacePreset['lanes']) {
  const key = JSON.stringify(lanes);
  const preset = RACES.find((r) => JSON.stringify(r.lanes) === key);
  if (preset) lab.applyRace(preset.id);
  else lab.raceOf(lanes);
  lab.play();
  requestAnimationFrame(() => jumpTo('lanes-panel'));
}

function Recipe() {
  const config = useLab(selectConfig);
  return <RecipeExport config={config} />;
}

/** A panel inside its own error boundary: if it throws, it alone shows what failed (and "retry"). */
const P = ({ name, children }: { name: string; children: ReactNode }) => (
  <PanelBoundary name={name}>{children}</PanelBoundary>
);

/** Panels in order, each by its name (what a failure names) and its component. */
type Panel = readonly [name: string, Body: ComponentType];
const Panels = ({ list }: { list: readonly Panel[] }) => (
  <>
    {list.map(([name, Body]) => (
      <P key={name} name={name}>
        <Body />
      </P>
    ))}
  </>
);

const HEADER: Panel[] = [
  ['Lessons', LessonSelect],
  ['Backend badge', BackendBadge],
  ['Copy link', CopyLink],
  ['Theme toggle', ThemeToggle],
  ['Help links', TopNav],
];
const ABOVE: Panel[] = [
  ['Lesson', LessonPanel],
  ['Explainer', Explainer],
  ['Glossary', Glossary],
  ['Banners', ErrorBanner],
  ['Stored data', StoredSkipped],
  ['First-visit hint', FirstVisitHint],
];
const PICKERS: Panel[] = [
  ['Pack picker', PackPicker],
  ['Race picker', RaceSelect],
  ['Preset picker', PresetSelect],
];
const SIDE: Panel[] = [
  ['Controls', ControlsPanel],
  ['Recipe export', Recipe],
];

function LabPage() {
  useProjectorScale();
  return (
    <main className="lab">
      <header className="top">
        <h1>LLaVADI Lab</h1>
        <p className="tag">Distil a mini-LLaVA teacher into a small student, live in your browser (Xu et al., 2024).</p>
        <Panels list={HEADER} />
      </header>
      <Panels list={ABOVE} />
      <div className="bar">
        <Panels list={PICKERS} />
      </div>
      <P name="Run buttons">
        <RunButtons />
      </P>
      <div className="grid">
        <aside className="side" data-testid="controls-panel">
          <Panels list={SIDE} />
        </aside>
        <div className="main">
          <P name="Lanes">
            <LanesPanel />
          </P>
          <div className="pair">
            <Panels
              list={[
                ['Loss chart', LossChart],
                ['Accuracy chart', AccuracyChart],
              ]}
            />
          </div>
          <P name="Runs">
            <RunsPanel />
          </P>
          <div className="pair">
            <Panels
              list={[
                ['Affinity overlay', AffinityOverlay],
                ['Sample viewer', SampleViewer],
              ]}
            />
          </div>
          <Panels
            list={[
              ['Alignment heatmap', AlignmentHeatmap],
              ['Alignment over time', AlignmentOverTime],
            ]}
          />
          <div id="what-matters" tabIndex={-1} className="anchor">
            <P name="What matters">
              <Findings />
            </P>
          </div>
        </div>
      </div>
    </main>
  );
}

/** The app: creates the lab's controller (its worker starts on mount) and provides it to every panel. */
export function App({ controller }: { controller?: LabController } = {}) {
  const [lab] = useState(() => controller ?? new LabController());
  useEffect(() => lab.start(), [lab]);
  useEffect(() => installSpaceKey(lab.toggle), [lab]);
  return (
    <ControllerContext.Provider value={lab}>
      <LabPage />
    </ControllerContext.Provider>
  );
}
