/**
 * Grafana 10+ Explore link with a TraceQL query for a target's traces (by
 * its Kubernetes identity, see `traceLookup`).
 */
export function grafanaExploreUrl(
  grafanaUrl: string,
  datasourceUid: string,
  traceQL: string,
): string {
  return exploreUrl(grafanaUrl, datasourceUid, traceQL, {
    from: 'now-1h',
    to: 'now',
  });
}

/** Grafana Explore on one trace: Tempo's TraceQL field takes a trace id. */
export function grafanaTraceUrl(
  grafanaUrl: string,
  datasourceUid: string,
  traceId: string,
): string {
  return exploreUrl(grafanaUrl, datasourceUid, traceId, {
    from: 'now-24h',
    to: 'now',
  });
}

function exploreUrl(
  grafanaUrl: string,
  datasourceUid: string,
  query: string,
  range: { from: string; to: string },
): string {
  const panes = {
    tracegate: {
      datasource: datasourceUid,
      queries: [
        {
          refId: 'A',
          datasource: { type: 'tempo', uid: datasourceUid },
          queryType: 'traceql',
          query,
        },
      ],
      range,
    },
  };
  return `${grafanaUrl.replace(
    /\/$/,
    '',
  )}/explore?schemaVersion=1&panes=${encodeURIComponent(
    JSON.stringify(panes),
  )}&orgId=1`;
}
