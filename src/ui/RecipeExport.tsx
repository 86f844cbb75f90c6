// Recipe export for the selected lane's config: a button that reveals the LLaVADI distill_train.py command line and a
// TRL GKDConfig (src/core/recipes.ts) in a read-only text area, with copy and download.
import { useState } from 'react';
import type { TrainConfig } from '../core/config';
import { recipeText } from '../core/recipes';

export function RecipeExport({ config }: { config: TrainConfig }) {
  const [open, setOpen] = useState(false);
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  const text = recipeText(config);
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
          <textarea data-testid="recipe-text" readOnly value={text} rows={18} aria-label="recipes for the real trainers" spellCheck={false} style={{ width: '100%', fontFamily: 'monospace', fontSize: 11 }} />
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
