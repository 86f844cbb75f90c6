// The lab: header (pack, preset, backend), run controls and knobs on the left; loss and accuracy charts, the token
// alignment heatmap and the sample viewer on the right. The worker starts once, on mount.
import { useEffect } from 'react';
import { AccuracyChart } from './AccuracyChart';
import { AlignmentHeatmap } from './AlignmentHeatmap';
import { BackendBadge } from './BackendBadge';
import { ControlsPanel, RunButtons } from './ControlsPanel';
import { startLab } from './controller';
import { ErrorBanner } from './ErrorBanner';
import { LossChart } from './LossChart';
import { PackPicker } from './PackPicker';
import { PresetSelect } from './PresetSelect';
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
      </header>
      <ErrorBanner />
      <div className="bar">
        <PackPicker />
        <PresetSelect />
      </div>
      <RunButtons />
      <div className="grid">
        <aside>
          <ControlsPanel />
        </aside>
        <div className="main">
          <LossChart />
          <AccuracyChart />
          <AlignmentHeatmap />
          <SampleViewer />
        </div>
      </div>
    </main>
  );
}
