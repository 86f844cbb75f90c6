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
import { startLab } from './controller';
import { ErrorBanner } from './ErrorBanner';
import { LanesPanel, RaceSelect } from './LanesPanel';
import { LossChart } from './LossChart';
import { PackPicker } from './PackPicker';
import { PresetSelect } from './PresetSelect';
import { RunsPanel } from './RunsPanel';
import { SampleViewer } from './SampleViewer';
import './lab.css';

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
        </div>
      </div>
    </main>
  );
}
