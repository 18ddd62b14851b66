//! Dossier statuses, their labels and national-portal codes, and the inbox queues.

use super::Lang;
use serde::{Deserialize, Serialize};

/// Where a dossier stands. The wire name is the `snake_case` variant name.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Submitted,
    Received,
    Refused,
    InProgress,
    AwaitingApproval,
    SupplementRequested,
    AwaitingPayment,
    Withdrawn,
    Stopped,
    ResultReady,
    Returned,
}

/// One row of the status table: wire name, Vietnamese and English labels, and the code
/// the national public service portal uses. Data, so a renamed label is a one-line change.
struct StatusInfo {
    wire: &'static str,
    vi: &'static str,
    en: &'static str,
    national_code: u8,
}

const fn info(status: Status) -> StatusInfo {
    let (wire, vi, en, national_code) = match status {
        Status::Submitted => (
            "submitted",
            "Mới đăng ký (trực tuyến, chờ tiếp nhận)",
            "Submitted online (awaiting reception)",
            1,
        ),
        Status::Received => ("received", "Đã tiếp nhận", "Received", 2),
        Status::Refused => ("refused", "Không được tiếp nhận", "Refused", 3),
        Status::InProgress => ("in_progress", "Đang xử lý", "In progress", 4),
        Status::AwaitingApproval => (
            "awaiting_approval",
            "Chờ lãnh đạo duyệt",
            "Awaiting leader approval",
            4,
        ),
        Status::SupplementRequested => (
            "supplement_requested",
            "Yêu cầu bổ sung hồ sơ",
            "Supplement requested",
            5,
        ),
        Status::AwaitingPayment => (
            "awaiting_payment",
            "Chờ thực hiện nghĩa vụ tài chính",
            "Awaiting payment",
            6,
        ),
        Status::Withdrawn => (
            "withdrawn",
            "Công dân rút hồ sơ",
            "Withdrawn by the citizen",
            7,
        ),
        Status::Stopped => ("stopped", "Dừng xử lý", "Processing stopped", 8),
        Status::ResultReady => (
            "result_ready",
            "Đã có kết quả (chờ trả)",
            "Result ready (awaiting return)",
            9,
        ),
        Status::Returned => ("returned", "Đã trả kết quả", "Result returned", 10),
    };
    StatusInfo {
        wire,
        vi,
        en,
        national_code,
    }
}

impl Status {
    pub const ALL: [Status; 11] = [
        Status::Submitted,
        Status::Received,
        Status::Refused,
        Status::InProgress,
        Status::AwaitingApproval,
        Status::SupplementRequested,
        Status::AwaitingPayment,
        Status::Withdrawn,
        Status::Stopped,
        Status::ResultReady,
        Status::Returned,
    ];

    /// The wire name (`"in_progress"`).
    pub const fn as_str(self) -> &'static str {
        info(self).wire
    }

    /// The status with this wire name.
    pub fn from_wire(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    pub const fn label(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Vi => info(self).vi,
            Lang::En => info(self).en,
        }
    }

    /// The status code of the national public service portal (in_progress and
    /// awaiting_approval share 4).
    pub const fn national_code(self) -> u8 {
        info(self).national_code
    }

    /// Still being worked on: not refused, withdrawn, stopped or returned.
    pub const fn is_active(self) -> bool {
        !matches!(
            self,
            Status::Refused | Status::Withdrawn | Status::Stopped | Status::Returned
        )
    }

    /// Ended without a result: the `closed` queue.
    pub const fn is_closed(self) -> bool {
        matches!(self, Status::Refused | Status::Withdrawn | Status::Stopped)
    }

    /// Whether the office's clock runs against `due_at` in this status, so that a dossier
    /// past its due time counts as overdue. An online submission has no due time until it
    /// is received, and while a supplement is awaited the clock is stopped: it restarts
    /// from zero when the documents arrive.
    pub const fn clock_runs(self) -> bool {
        self.is_active() && !matches!(self, Status::Submitted | Status::SupplementRequested)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// "Overdue" is derived, never stored: the clock runs and `now` is past the due time.
pub fn is_overdue<T: PartialOrd>(status: Status, due_at: Option<T>, now: T) -> bool {
    status.clock_runs() && due_at.is_some_and(|due| now > due)
}

/// The inbox queues (`?queue=` of `GET /dossiers`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Queue {
    OnlinePending,
    Received,
    InProgress,
    Supplement,
    AwaitingPayment,
    ResultReady,
    Returned,
    Closed,
    Overdue,
    All,
}

impl Queue {
    /// In the order the inbox lists them.
    pub const ALL: [Queue; 10] = [
        Queue::OnlinePending,
        Queue::Received,
        Queue::InProgress,
        Queue::Supplement,
        Queue::AwaitingPayment,
        Queue::ResultReady,
        Queue::Returned,
        Queue::Closed,
        Queue::Overdue,
        Queue::All,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Queue::OnlinePending => "online_pending",
            Queue::Received => "received",
            Queue::InProgress => "in_progress",
            Queue::Supplement => "supplement",
            Queue::AwaitingPayment => "awaiting_payment",
            Queue::ResultReady => "result_ready",
            Queue::Returned => "returned",
            Queue::Closed => "closed",
            Queue::Overdue => "overdue",
            Queue::All => "all",
        }
    }

    pub fn from_wire(s: &str) -> Option<Queue> {
        Queue::ALL.into_iter().find(|q| q.as_str() == s)
    }

    pub const fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Queue::OnlinePending, Lang::Vi) => "Chờ tiếp nhận trực tuyến",
            (Queue::OnlinePending, Lang::En) => "Online, awaiting reception",
            (Queue::Received, Lang::Vi) => "Mới tiếp nhận",
            (Queue::Received, Lang::En) => "Newly received",
            (Queue::InProgress, Lang::Vi) => "Đang xử lý",
            (Queue::InProgress, Lang::En) => "In progress",
            (Queue::Supplement, Lang::Vi) => "Bổ sung",
            (Queue::Supplement, Lang::En) => "Supplement",
            (Queue::AwaitingPayment, Lang::Vi) => "Chờ thanh toán",
            (Queue::AwaitingPayment, Lang::En) => "Awaiting payment",
            (Queue::ResultReady, Lang::Vi) => "Chờ trả kết quả",
            (Queue::ResultReady, Lang::En) => "Result to return",
            (Queue::Returned, Lang::Vi) => "Đã trả",
            (Queue::Returned, Lang::En) => "Returned",
            (Queue::Closed, Lang::Vi) => "Đã đóng",
            (Queue::Closed, Lang::En) => "Closed",
            (Queue::Overdue, Lang::Vi) => "Quá hạn",
            (Queue::Overdue, Lang::En) => "Overdue",
            (Queue::All, Lang::Vi) => "Tất cả",
            (Queue::All, Lang::En) => "All",
        }
    }

    /// The statuses a dossier may have to be in this queue. For `Overdue` these are the
    /// statuses whose clock runs; the due time must be checked as well ([`Queue::contains`]).
    pub fn statuses(self) -> Vec<Status> {
        let pick = |f: fn(Status) -> bool| Status::ALL.into_iter().filter(|s| f(*s)).collect();
        match self {
            Queue::OnlinePending => vec![Status::Submitted],
            Queue::Received => vec![Status::Received],
            Queue::InProgress => vec![Status::InProgress, Status::AwaitingApproval],
            Queue::Supplement => vec![Status::SupplementRequested],
            Queue::AwaitingPayment => vec![Status::AwaitingPayment],
            Queue::ResultReady => vec![Status::ResultReady],
            Queue::Returned => vec![Status::Returned],
            Queue::Closed => pick(Status::is_closed),
            Queue::Overdue => pick(Status::clock_runs),
            Queue::All => Status::ALL.to_vec(),
        }
    }

    /// Whether a dossier in `status`, overdue or not, belongs in this queue.
    pub fn contains(self, status: Status, overdue: bool) -> bool {
        // No allocation: the TUI asks this of every loaded dossier on every keystroke.
        match self {
            Queue::OnlinePending => status == Status::Submitted,
            Queue::Received => status == Status::Received,
            Queue::InProgress => matches!(status, Status::InProgress | Status::AwaitingApproval),
            Queue::Supplement => status == Status::SupplementRequested,
            Queue::AwaitingPayment => status == Status::AwaitingPayment,
            Queue::ResultReady => status == Status::ResultReady,
            Queue::Returned => status == Status::Returned,
            Queue::Closed => status.is_closed(),
            Queue::Overdue => overdue && status.clock_runs(),
            Queue::All => true,
        }
    }
}

impl std::fmt::Display for Queue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_table_of_domain_md() {
        let table = [
            (
                Status::Submitted,
                "submitted",
                "Mới đăng ký (trực tuyến, chờ tiếp nhận)",
                1,
            ),
            (Status::Received, "received", "Đã tiếp nhận", 2),
            (Status::Refused, "refused", "Không được tiếp nhận", 3),
            (Status::InProgress, "in_progress", "Đang xử lý", 4),
            (
                Status::AwaitingApproval,
                "awaiting_approval",
                "Chờ lãnh đạo duyệt",
                4,
            ),
            (
                Status::SupplementRequested,
                "supplement_requested",
                "Yêu cầu bổ sung hồ sơ",
                5,
            ),
            (
                Status::AwaitingPayment,
                "awaiting_payment",
                "Chờ thực hiện nghĩa vụ tài chính",
                6,
            ),
            (Status::Withdrawn, "withdrawn", "Công dân rút hồ sơ", 7),
            (Status::Stopped, "stopped", "Dừng xử lý", 8),
            (
                Status::ResultReady,
                "result_ready",
                "Đã có kết quả (chờ trả)",
                9,
            ),
            (Status::Returned, "returned", "Đã trả kết quả", 10),
        ];
        assert_eq!(table.len(), Status::ALL.len());
        for (status, wire, vi, code) in table {
            assert_eq!(status.as_str(), wire);
            assert_eq!(Status::from_wire(wire), Some(status));
            assert_eq!(status.label(Lang::Vi), vi);
            assert!(!status.label(Lang::En).is_empty());
            assert_eq!(status.national_code(), code);
            // serde uses the same wire name
            assert_eq!(
                serde_json::to_string(&status).unwrap(),
                format!("\"{wire}\"")
            );
        }
        assert_eq!(
            Status::from_wire("overdue"),
            None,
            "overdue is not a status"
        );
    }

    #[test]
    fn active_and_closed() {
        let active: Vec<_> = Status::ALL.into_iter().filter(|s| s.is_active()).collect();
        assert_eq!(
            active,
            vec![
                Status::Submitted,
                Status::Received,
                Status::InProgress,
                Status::AwaitingApproval,
                Status::SupplementRequested,
                Status::AwaitingPayment,
                Status::ResultReady,
            ]
        );
        for s in Status::ALL {
            assert!(!(s.is_active() && s.is_closed()));
        }
        assert!(!Status::Returned.is_active() && !Status::Returned.is_closed());
    }

    #[test]
    fn overdue_is_derived_from_status_and_due_time() {
        assert!(is_overdue(Status::InProgress, Some(10), 11));
        assert!(
            !is_overdue(Status::InProgress, Some(10), 10),
            "at the due time is not late"
        );
        assert!(!is_overdue(Status::InProgress, None, 11));
        assert!(
            !is_overdue(Status::Returned, Some(10), 11),
            "finished dossiers are never overdue"
        );
        assert!(
            !is_overdue(Status::SupplementRequested, Some(10), 11),
            "the clock is stopped"
        );
        assert!(
            is_overdue(Status::ResultReady, Some(10), 11),
            "not yet returned"
        );
    }

    #[test]
    fn contains_agrees_with_statuses() {
        for queue in Queue::ALL {
            for status in Status::ALL {
                for overdue in [false, true] {
                    let by_list =
                        queue.statuses().contains(&status) && (queue != Queue::Overdue || overdue);
                    assert_eq!(
                        queue.contains(status, overdue),
                        by_list,
                        "{queue} {status:?} {overdue}"
                    );
                }
            }
        }
    }

    #[test]
    fn queues_partition_the_statuses() {
        let plain = [
            Queue::OnlinePending,
            Queue::Received,
            Queue::InProgress,
            Queue::Supplement,
            Queue::AwaitingPayment,
            Queue::ResultReady,
            Queue::Returned,
            Queue::Closed,
        ];
        for s in Status::ALL {
            let homes: Vec<_> = plain.iter().filter(|q| q.contains(s, false)).collect();
            assert_eq!(
                homes.len(),
                1,
                "{s} must be in exactly one queue, is in {homes:?}"
            );
            assert!(Queue::All.contains(s, false));
        }
        assert_eq!(
            Queue::InProgress.statuses(),
            vec![Status::InProgress, Status::AwaitingApproval]
        );
        assert_eq!(
            Queue::Closed.statuses(),
            vec![Status::Refused, Status::Withdrawn, Status::Stopped]
        );
    }

    #[test]
    fn overdue_queue_needs_overdue_and_a_running_clock() {
        assert!(Queue::Overdue.contains(Status::InProgress, true));
        assert!(!Queue::Overdue.contains(Status::InProgress, false));
        assert!(!Queue::Overdue.contains(Status::Returned, true));
        assert!(!Queue::Overdue.statuses().contains(&Status::Submitted));
    }

    #[test]
    fn queue_wire_names_round_trip_and_have_labels() {
        for q in Queue::ALL {
            assert_eq!(Queue::from_wire(q.as_str()), Some(q));
            assert!(!q.label(Lang::Vi).is_empty() && !q.label(Lang::En).is_empty());
        }
        assert_eq!(
            Queue::OnlinePending.label(Lang::Vi),
            "Chờ tiếp nhận trực tuyến"
        );
        assert_eq!(Queue::from_wire("nope"), None);
    }
}
