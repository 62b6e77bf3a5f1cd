/**
 * The body types of domain.ts and the types generated from the contract
 * (schema/openapi.ts, from the backend's openapi.yaml) must be the same
 * types: each assignable to the other. A drift is a type error (yarn tsc
 * checks this file), and this test fails with the name of the type.
 */
import * as domain from './domain';
import { components as TracingApiComponents } from './schema/openapi';

type Contract = TracingApiComponents['schemas'];

/** true when A and B are mutually assignable, else the pair, to read. */
type Same<A, B> = [A] extends [B]
  ? [B] extends [A]
    ? true
    : { contractHasMore: B }
  : { domainHasMore: A };

const same = {
  TargetRef: true,
  BeylaServiceName: true,
  BeylaNaming: true,
  TargetCheck: true,
  EntityTargets: true,
  TracingRequest: true,
  TraceArrival: true,
  RolloutState: true,
  RecordedObject: true,
  LastApply: true,
  TracingRequestHistoryEntry: true,
  TracingRequestPage: true,
  ClusterInfo: true,
  TracingPreview: true,
  LiveObjectState: true,
  EntityTracingStatus: true,
  TraceSummary: true,
  TraceLookup: true,
  RecentTraces: true,
  TracingCapabilities: true,
  EntityTracingCapabilities: true,
} satisfies {
  TargetRef: Same<domain.TargetRef, Contract['TargetRef']>;
  BeylaServiceName: Same<domain.BeylaServiceName, Contract['BeylaServiceName']>;
  BeylaNaming: Same<domain.BeylaNaming, Contract['BeylaNaming']>;
  TargetCheck: Same<domain.TargetCheck, Contract['TargetCheck']>;
  EntityTargets: Same<domain.EntityTargets, Contract['EntityTargets']>;
  TracingRequest: Same<domain.TracingRequest, Contract['TracingRequest']>;
  TraceArrival: Same<domain.TraceArrival, Contract['TraceArrival']>;
  RolloutState: Same<domain.RolloutState, Contract['RolloutState']>;
  RecordedObject: Same<domain.RecordedObject, Contract['RecordedObject']>;
  LastApply: Same<domain.LastApply, Contract['LastApply']>;
  TracingRequestHistoryEntry: Same<
    domain.TracingRequestHistoryEntry,
    Contract['TracingRequestHistoryEntry']
  >;
  TracingRequestPage: Same<
    domain.TracingRequestPage,
    Contract['TracingRequestPage']
  >;
  ClusterInfo: Same<domain.ClusterInfo, Contract['ClusterInfo']>;
  TracingPreview: Same<domain.TracingPreview, Contract['TracingPreview']>;
  LiveObjectState: Same<domain.LiveObjectState, Contract['LiveObjectState']>;
  EntityTracingStatus: Same<
    domain.EntityTracingStatus,
    Contract['EntityTracingStatus']
  >;
  TraceSummary: Same<domain.TraceSummary, Contract['TraceSummary']>;
  TraceLookup: Same<domain.TraceLookup, Contract['TraceLookup']>;
  RecentTraces: Same<domain.RecentTraces, Contract['RecentTraces']>;
  TracingCapabilities: Same<
    domain.TracingCapabilities,
    Contract['TracingCapabilities']
  >;
  EntityTracingCapabilities: Same<
    domain.EntityTracingCapabilities,
    Contract['EntityTracingCapabilities']
  >;
};

describe('the domain types and the contract', () => {
  it.each(Object.entries(same))(
    '%s is the same type on both sides',
    (_, is) => {
      expect(is).toBe(true);
    },
  );
});
