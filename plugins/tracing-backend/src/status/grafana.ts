/**
 * Grafana 10+ Explore link with a TraceQL query for the service's traces
 * (Beyla names the service after its workload).
 */
export function grafanaExploreUrl(
  grafanaUrl: string,
  datasourceUid: string,
  serviceName: string,
): string {
  const panes = {
    tracegate: {
      datasource: datasourceUid,
      queries: [
        {
          refId: 'A',
          datasource: { type: 'tempo', uid: datasourceUid },
          queryType: 'traceql',
          query: `{ resource.service.name = ${JSON.stringify(serviceName)} }`,
        },
      ],
      range: { from: 'now-1h', to: 'now' },
    },
  };
  return `${grafanaUrl.replace(
    /\/$/,
    '',
  )}/explore?schemaVersion=1&panes=${encodeURIComponent(
    JSON.stringify(panes),
  )}&orgId=1`;
}
