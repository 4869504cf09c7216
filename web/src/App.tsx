import { Route, Switch } from 'wouter';
import { Layout } from './components/Layout';
import { Loading } from './components/bits';
import { AppPage } from './pages/AppPage';
import { Channels } from './pages/Channels';
import { IncidentPage } from './pages/IncidentPage';
import { Incidents } from './pages/Incidents';
import { Overview } from './pages/Overview';
import { PostmortemPage } from './pages/PostmortemPage';
import { Postmortems } from './pages/Postmortems';
import { Silences } from './pages/Silences';
import { SignIn } from './pages/SignIn';
import { SessionProvider, useSessionState } from './session';

function Pages() {
  const { session } = useSessionState();
  if (session === undefined) return <Loading what="your session" />;
  if (session === null) return <SignIn />;
  return (
    <Layout>
      <Switch>
        <Route path="/" component={Overview} />
        <Route path="/apps/:id">{(p) => <AppPage id={p.id} />}</Route>
        <Route path="/incidents" component={Incidents} />
        <Route path="/incidents/:id">{(p) => <IncidentPage id={p.id} />}</Route>
        <Route path="/incidents/:id/postmortem">{(p) => <PostmortemPage incidentId={p.id} />}</Route>
        <Route path="/postmortems" component={Postmortems} />
        <Route path="/channels" component={Channels} />
        <Route path="/silences" component={Silences} />
        <Route>
          <h1>Not found</h1>
          <p>There is no page here.</p>
        </Route>
      </Switch>
    </Layout>
  );
}

export function App() {
  return (
    <SessionProvider>
      <Pages />
    </SessionProvider>
  );
}
