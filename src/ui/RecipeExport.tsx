// Recipe export for the selected lane's config: a button that reveals the LLaVADI distill_train.py command line and a
// TRL GKDConfig (src/core/config/recipes.ts) in a read-only text area, with copy and download; its head says what to scale
// (the toy's one process and batch against the recipe's processes × per-device batch, and the learning rate).
import { useState } from 'react';
import type { TrainConfig } from '../core/config/config';
import { recipeText } from '../core/config/recipes';

/** The lines that head the recipe: what a real run must scale (the lab's one process against the recipe's). */
export function scaleNote(config: TrainConfig, recipe: string): string[] {
  const procs = Number(recipe.match(/--nproc_per_node[ =](\d+)/)?.[1] ?? 8);
  const b = config.optim.batchSize;
  const same = Math.max(1, Math.round(b / procs));
  return [
    '# What to scale: the lab trains one tiny student in one browser process.',
    `# - batch: the lab's ${b} per step; this recipe runs ${procs} processes × ${b} per device = ${procs * b} per step.`,
    `#   For the lab's batch use --per_device_train_batch_size ${same}; keeping ${procs * b}, scale the lr with the batch.`,
    `# - lr: the lab's ${config.optim.lr} suits its tiny student; LLaVA-1.5 fine-tunes at 2e-5 with a global batch of 128.`,
    '# - steps: --max_steps counts optimizer steps at the global batch: a larger batch needs fewer.',
  ];
}

export function RecipeExport({ config }: { config: TrainConfig }) {
  const [open, setOpen] = useState(false);
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  const recipe = recipeText(config);
  const note = scaleNote(config, recipe);
  const text = `${note.join('\n')}\n\n${recipe}`;
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied('copied');
    } catch {
      setCopied('failed'); // no clipboard permission (e.g. an insecure origin): say so; the text area stays selectable
    }
  };
  const download = () => {
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `recipe-seed${config.seed}.txt`;
    a.click();
    URL.revokeObjectURL(url);
  };
  return (
    <div className="recipe-export">
      <button type="button" data-testid="export-recipe" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        {open ? 'Hide recipe' : 'Export recipe (LLaVADI, TRL)'}
      </button>
      {open && (
        <>
          <p className="recipe-scale" data-testid="recipe-scale">
            <b>Scale before a real run:</b> {note[1].replace(/^# - batch: /, 'batch: ')} The lr {config.optim.lr} is the
            toy's. The recipe's head says how.
          </p>
          <textarea
            data-testid="recipe-text"
            readOnly
            value={text}
            rows={18}
            aria-label="recipes for the real trainers"
            spellCheck={false}
            wrap="soft"
            style={{ width: '100%', fontFamily: 'monospace', fontSize: 11 }}
          />
          <button type="button" onClick={copy}>
            {copied === 'copied' ? 'Copied' : copied === 'failed' ? 'Copy failed: select the text and copy it' : 'Copy'}
          </button>
          <button type="button" onClick={download}>
            Download
          </button>
        </>
      )}
    </div>
  );
}
