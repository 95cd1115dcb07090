export { FeedStack, ROOT, sumSamples, type AppKind, type StackOptions } from './feed-stack';
export { SimClient, type SimTrade } from './sim-client';
export { WsClient, type WsItem } from './ws-client';
