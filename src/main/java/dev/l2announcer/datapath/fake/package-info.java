/**
 * In-memory datapath ports for tests and the simulated demo. No looser than the kernel: the responder map holds
 * 4,096 entries and refuses the next one, a program attach can be refused, a detach can fail, a send can fail.
 * Synchronised, as they are driven from test threads and the reconciler's thread alike.
 */
package dev.l2announcer.datapath.fake;
