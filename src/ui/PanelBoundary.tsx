// An error boundary around one panel of the lab: a panel that throws while rendering shows what failed (its name and
// the message) with a "retry" button, and the rest of the lab keeps working. React needs a class component for this.
import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  name: string; // the panel as a person knows it ("Loss chart", "Runs")
  children: ReactNode;
}

interface State {
  error: Error | null;
}

/** The message of whatever was thrown, in one line. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  try {
    return typeof e === 'string' ? e : (JSON.stringify(e) ?? String(e));
  } catch {
    return String(e);
  }
}

export class PanelBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(e: unknown): State {
    return { error: e instanceof Error ? e : new Error(errorMessage(e)) };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error(`LLaVADI Lab: the ${this.props.name} panel failed`, error, info.componentStack);
  }

  private retry = () => this.setState({ error: null });

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <section className="card panel-error" role="alert" data-testid="panel-error" data-panel={this.props.name}>
        <span>
          <b>{this.props.name} failed</b>: {errorMessage(error)}. The rest of the lab works on; retry redraws this
          panel.
        </span>
        <button type="button" onClick={this.retry} data-testid="panel-error-retry">
          retry
        </button>
      </section>
    );
  }
}
