// SPDX-License-Identifier: Apache-2.0
/**
 * ICMP type names as Cilium's policy language accepts them (ICMP-3), with their numbers (IANA's
 * ICMP and ICMPv6 parameter registries). A name is valid only for its own family.
 */

const V4: Readonly<Record<string, number>> = {
  EchoReply: 0,
  DestinationUnreachable: 3,
  Redirect: 5,
  Echo: 8,
  EchoRequest: 8,
  RouterAdvertisement: 9,
  RouterSelection: 10,
  TimeExceeded: 11,
  ParameterProblem: 12,
  Timestamp: 13,
  TimestampReply: 14,
  Photuris: 40,
  ExtendedEchoRequest: 42,
  ExtendedEchoReply: 43,
};

const V6: Readonly<Record<string, number>> = {
  DestinationUnreachable: 1,
  PacketTooBig: 2,
  TimeExceeded: 3,
  ParameterProblem: 4,
  EchoRequest: 128,
  EchoReply: 129,
  MulticastListenerQuery: 130,
  MulticastListenerReport: 131,
  MulticastListenerDone: 132,
  RouterSolicitation: 133,
  RouterAdvertisement: 134,
  NeighborSolicitation: 135,
  NeighborAdvertisement: 136,
  RedirectMessage: 137,
  RouterRenumbering: 138,
  ICMPNodeInformationQuery: 139,
  ICMPNodeInformationResponse: 140,
  InverseNeighborDiscoverySolicitation: 141,
  InverseNeighborDiscoveryAdvertisement: 142,
  HomeAgentAddressDiscoveryRequest: 144,
  HomeAgentAddressDiscoveryReply: 145,
  MobilePrefixSolicitation: 146,
  MobilePrefixAdvertisement: 147,
  DuplicateAddressRequestCodeSuffix: 157,
  DuplicateAddressConfirmationCodeSuffix: 158,
  ExtendedEchoRequest: 160,
  ExtendedEchoReply: 161,
};

/** The IP family of an ICMP protocol name: `ICMP` is 4, `ICMPv6` is 6. */
export type IcmpFamily = 4 | 6;

/** The echo request of a family: what a ping sends, and the default ICMP type of a test case. */
export function echoRequest(family: IcmpFamily): number {
  return family === 4 ? 8 : 128;
}

/**
 * The number of an ICMP type written as a number (0–255) or a name of its family; undefined
 * when it is neither.
 */
export function icmpTypeNumber(value: unknown, family: IcmpFamily): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 && value <= 255 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  if (/^[0-9]{1,3}$/.test(value)) return icmpTypeNumber(Number(value), family);
  const table = family === 4 ? V4 : V6;
  return Object.prototype.hasOwnProperty.call(table, value) ? table[value] : undefined;
}

/** The type names of a family, for messages and completion. */
export function icmpTypeNames(family: IcmpFamily): string[] {
  return Object.keys(family === 4 ? V4 : V6);
}
