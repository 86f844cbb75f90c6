// The lab: header, run controls and knobs on the left; lanes, charts, alignment views, samples and runs on the right, each
// panel in its own error boundary (one that throws shows what failed; the rest works on). The worker starts on mount.
import { type ReactNode, useEffect } from 'react';
import { AccuracyChart } from './AccuracyChart';
import { AffinityOverlay } from './AffinityOverlay';
import { AlignmentHeatmap } from './AlignmentHeatmap';
import { AlignmentOverTime } from './AlignmentOverTime';
import { BackendBadge } from './BackendBadge';
import { CopyLink, FirstVisitHint, ThemeToggle } from './Chrome';
import { ControlsPanel, RunButtons } from './ControlsPanel';
import { lab, packIdOf, startLab } from './controller';
import { ErrorBanner, StoredSkipped } from './ErrorBanner';
import { FindingsPanel } from './FindingsPanel';
import { LessonPanel, LessonSelect } from './Lesson';
import { LanesPanel, RaceSelect } from './LanesPanel';
import { LossChart } from './LossChart';
import { PackPicker } from './PackPicker';
import { PanelBoundary } from './PanelBoundary';
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

/** A panel inside its own error boundary: if it throws, it alone shows what failed (and "retry"). */
const P = ({ name, children }: { name: string; children: ReactNode }) => <PanelBoundary name={name}>{children}</PanelBoundary>;

export function App() {
  useEffect(() => startLab(), []);
  return (
    <main className="lab">
      <header className="top">
        <h1>LLaVADI Lab</h1>
        <p className="tag">Distil a mini-LLaVA teacher into a small student, live in your browser (Xu et al., 2024).</p>
        <P name="Lessons">
          <LessonSelect />
        </P>
        <P name="Backend badge">
          <BackendBadge />
        </P>
        <P name="Copy link">
          <CopyLink />
        </P>
        <P name="Theme toggle">
          <ThemeToggle />
        </P>
      </header>
      <P name="Lesson">
        <LessonPanel />
      </P>
      <P name="Banners">
        <ErrorBanner />
      </P>
      <P name="Stored data">
        <StoredSkipped />
      </P>
      <P name="First-visit hint">
        <FirstVisitHint />
      </P>
      <div className="bar">
        <P name="Pack picker">
          <PackPicker />
        </P>
        <P name="Race picker">
          <RaceSelect />
        </P>
        <P name="Preset picker">
          <PresetSelect />
        </P>
      </div>
      <P name="Run buttons">
        <RunButtons />
      </P>
      <div className="grid">
        <aside className="side" data-testid="controls-panel">
          <P name="Controls">
            <ControlsPanel />
          </P>
          <P name="Recipe export">
            <Recipe />
          </P>
        </aside>
        <div className="main">
          <P name="Lanes">
            <LanesPanel />
          </P>
          <div className="pair">
            <P name="Loss chart">
              <LossChart />
            </P>
            <P name="Accuracy chart">
              <AccuracyChart />
            </P>
          </div>
          <P name="Runs">
            <RunsPanel />
          </P>
          <div className="pair">
            <P name="Affinity overlay">
              <AffinityOverlay />
            </P>
            <P name="Sample viewer">
              <SampleViewer />
            </P>
          </div>
          <P name="Alignment heatmap">
            <AlignmentHeatmap />
          </P>
          <P name="Alignment over time">
            <AlignmentOverTime />
          </P>
          <P name="What matters">
            <Findings />
          </P>
        </div>
      </div>
    </main>
  );
}
