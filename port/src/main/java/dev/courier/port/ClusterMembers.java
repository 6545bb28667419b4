package dev.courier.port;

import java.util.List;

/**
 * The cluster as one node sees it, for {@code GET /v1/cluster/members} and the dashboard: who is
 * a member, in which state, and who this node cannot reach.
 *
 * @param self this node's address ({@code host:port} of its remoting)
 * @param leader the leader's address, null while there is none
 * @param members every member this node knows, ordered by address
 */
public record ClusterMembers(String self, String leader, List<Member> members) {

  /**
   * One member: its address, status ({@code joining}, {@code weakly_up}, {@code up},
   * {@code leaving}, {@code exiting}, {@code down}, {@code removed}), whether this node's failure
   * detector reaches it, and its roles.
   */
  public record Member(String address, String status, boolean reachable, List<String> roles) {}

  public ClusterMembers {
    members = List.copyOf(members);
  }
}
