// The lab: header (pack, race, preset, backend, theme), run controls and knobs on the left; the race's lanes, loss and
// accuracy charts, the alignment views, the sample viewer and the runs table on the right. The worker starts once, on mount.
import { useEffect } from 'react';
import { AccuracyChart } from './AccuracyChart';
import { AffinityOverlay } from './AffinityOverlay';
import { AlignmentHeatmap } from './AlignmentHeatmap';
import { AlignmentOverTime } from './AlignmentOverTime';
import { BackendBadge } from './BackendBadge';
import { CopyLink, FirstVisitHint, ThemeToggle } from './Chrome';
import { ControlsPanel, RunButtons } from './ControlsPanel';
import { lab, packIdOf, startLab } from './controller';
import { ErrorBanner } from './ErrorBanner';
import { FindingsPanel } from './FindingsPanel';
import { LanesPanel, RaceSelect } from './LanesPanel';
import { LossChart } from './LossChart';
import { PackPicker } from './PackPicker';
import { PresetSelect } from './PresetSelect';
import { RecipeExport } from './RecipeExport';
import { RunsPanel } from './RunsPanel';
import { SampleViewer } from './SampleViewer';
import { STUDIES, studyFor } from './studyData';
import { useLab } from '../store';
import './lab.css';

/** The "What matters" panel for the loaded pack (the shipped study JSON), its rows racing a finding's conditions. */
function Findings() {
  const pack = useLab((s) => s.pack);
  const id = pack ? packIdOf(pack.name) : 'shapes';
  const study = studyFor(id ?? 'shapes');
  const others = Object.values(STUDIES).filter((x) => x !== study);
  return <FindingsPanel study={study} others={others} onRace={lab.raceOf} />;
}

function Recipe() {
  const config = useLab((s) => s.config);
  return <RecipeExport config={config} />;
}

export function App() {
  useEffect(() => startLab(), []);
  return (
    <main className="lab">
      <header className="top">
        <h1>LLaVADI Lab</h1>
        <p className="tag">Distil a mini-LLaVA teacher into a small student, live in your browser (Xu et al., 2024).</p>
        <BackendBadge />
        <CopyLink />
        <ThemeToggle />
      </header>
      <ErrorBanner />
      <FirstVisitHint />
      <div className="bar">
        <PackPicker />
        <RaceSelect />
        <PresetSelect />
      </div>
      <RunButtons />
      <div className="grid">
        <aside className="side" data-testid="controls-panel">
          <ControlsPanel />
          <Recipe />
        </aside>
        <div className="main">
          <LanesPanel />
          <div className="pair">
            <LossChart />
            <AccuracyChart />
          </div>
          <RunsPanel />
          <div className="pair">
            <AffinityOverlay />
            <SampleViewer />
          </div>
          <AlignmentHeatmap />
          <AlignmentOverTime />
          <Findings />
        </div>
      </div>
    </main>
  );
}
