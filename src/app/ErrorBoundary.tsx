// Last line of defence: a rendering bug shows a message and a way back instead of a blank page.
import { Component, type ReactNode } from 'react';

export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state = { error: null as Error | null };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <main className="start" role="alert" data-testid="ui-crash">
        <h1 className="error">The workbench hit a bug</h1>
        <pre className="error-detail">{String(this.state.error.stack ?? this.state.error)}</pre>
        <p>
          Reload the page (the address keeps your view), and please report this message.{' '}
          <button type="button" onClick={() => location.reload()}>
            reload
          </button>
        </p>
      </main>
    );
  }
}
