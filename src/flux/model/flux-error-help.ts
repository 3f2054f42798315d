/**
 * The help texts of flux's error helpers (`pkg/remote/errors.go`, `pkg/errors`, and the V6 client's
 * `remoteApplicationError`), byte for byte. They reach users inside HTTP error bodies.
 */

export function unavailableHelp(): string {
  return `Cannot contact Flux daemon

To service this request, we need to ask the agent running in your
cluster (fluxd) for some information. But we can't connect to it at
present.

This may be because it's not running at all, is temporarily
disconnected or has been firewalled.

If you are sure Flux is running, you can simply wait a few seconds
and try the operation again.

Otherwise, please consult the installation instructions in our
documentation:

    https://fluxcd.io/legacy/flux/get-started/

If you are still stuck, please log an issue:

    https://github.com/fluxcd/flux/issues

`;
}

export function upgradeNeededHelp(message: string): string {
  return `Your Flux daemon needs to be upgraded

    ${message}

To service this request, we need to ask the agent running in your
cluster (fluxd) to perform an operation on our behalf, but the
version you have running is too old to understand the request.

Please install the latest version of Flux and try again.

`;
}

export function unsupportedResourceKindHelp(message: string): string {
  return `${message}

The version of the agent running in your cluster (fluxd) can release updates to
the following kinds of pod controller: Deployments, DaemonSets, StatefulSets
and CronJobs. When new kinds are added to Kubernetes, we try to support them as
quickly as possible - check here to see if a new version of Flux is available:

\thttps://github.com/fluxcd/flux/releases

Releasing by Service is not supported - if you're using an old version of
fluxctl that accepts the '--service' argument you will need to get a new one
that matches your agent.
`;
}

export function clusterHelp(message: string): string {
  return `Error from Flux daemon

The Flux daemon (fluxd) reported this error:

    ${message}

which indicates that it is running, but cannot complete the request.

Thus may be because the request wasn't valid; e.g., you asked for
something in a namespace that doesn't exist.

Otherwise, it is likely to be an ongoing problem until fluxd is
updated and/or redeployed. For help, please consult the installation
instructions:

    https://fluxcd.io/legacy/flux/get-started/

If you are still stuck, please log an issue:

    https://github.com/fluxcd/flux/issues

`;
}

export function coverAllHelp(message: string): string {
  return `Error: ${message}

We don't have a specific help message for the error above.

It would help us remedy this if you log an issue at

    https://github.com/fluxcd/flux/issues

saying what you were doing when you saw this, and quoting the message
at the top.
`;
}

export function remoteApplicationHelp(message: string): string {
  return `Error from daemon

The daemon (fluxd, running in your cluster) reported this error when
attempting to fulfil your request:

    ${message}
`;
}
