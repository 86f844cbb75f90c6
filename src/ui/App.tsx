// Top-level React component of the lab.
// Placeholder until the lab issue lands: names what the lab will do.
export function App() {
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 720, margin: '3rem auto' }}>
      <h1>LLaVADI Lab</h1>
      <p data-testid="coming-up">
        Coming up: live distillation of a mini-LLaVA teacher into a small student, in your browser.
      </p>
    </main>
  );
}
