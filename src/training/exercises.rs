//! The guided exercises of the training course, one per course item, and the tracker
//! that judges them from the sandbox's journal (`GET /training/journal`).
//!
//! Pure: the TUI feeds journal entries and quiz answers in and reads progress out. An
//! exercise is done by what the sandbox recorded, never by what the app believes it
//! did, so a trainee who does the task another way (or on another screen) still gets it.

use crate::api::error::ErrorCode;
use crate::api::training::{AuditEvent, JournalEntry};
use crate::domain::Lang;
use crate::domain::workflow::{Action, Role};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExerciseId {
    Levels,
    OnlineIntake,
    DeskIntake,
    Supplement,
    Extension,
    ApproveReturn,
    Account,
    Cash,
    VietQr,
    Digitize,
    Reuse,
    /// Returning a result with its handover, and the citizen's rating (issue 17).
    Handover,
    /// Guiding a citizen: a birth registration submitted on the citizen pages, then
    /// received at the desk.
    CitizenOnline,
    /// Certifying three copies of a five-page document at the desk, the fee taken in cash
    /// (issue 21).
    CertifyCopies,
    /// Taking a dossier in with the link down, on a held number, judged once it arrived
    /// (issue 19).
    Outage,
}

/// Points for an exercise done without a hint.
pub const POINTS: u32 = 10;
/// What a hint costs on the exercise it was asked for.
pub const HINT_COST: u32 = 3;
/// What each mistake (a refused action, a wrong quiz answer) costs on the total.
pub const MISTAKE_COST: u32 = 1;

/// One exercise's words, in one language.
pub struct Words {
    pub title: &'static str,
    pub task: &'static str,
    /// What to set up before the steps, when the sandbox's own data will not do (empty
    /// when nothing is needed). Shown above the steps; not judged, so a trainee who
    /// found another way still gets the exercise.
    pub prepare: &'static str,
    /// One line per step; the tracker ticks them off one by one.
    pub steps: &'static [&'static str],
    pub hint: &'static str,
}

pub struct Exercise {
    pub id: ExerciseId,
    pub vi: Words,
    pub en: Words,
}

impl Exercise {
    pub fn words(&self, lang: Lang) -> &Words {
        match lang {
            Lang::Vi => &self.vi,
            Lang::En => &self.en,
        }
    }
}

/// The course, in the order it is taught.
pub const EXERCISES: [Exercise; 15] = [
    Exercise {
        id: ExerciseId::Levels,
        vi: Words {
            title: "Bốn mức độ dịch vụ công trực tuyến",
            task: "Trả lời bốn câu hỏi về các mức độ dịch vụ công trực tuyến: chọn bài này trong \
                   danh sách rồi bấm số của câu trả lời.",
            prepare: "",
            steps: &["Trả lời đúng 4 câu hỏi"],
            hint: "Mức 1: thông tin về thủ tục. Mức 2: thêm tải mẫu đơn, tờ khai. Mức 3: thêm điền \
                   và nộp hồ sơ trực tuyến; phí và kết quả nhận tại cơ quan. Mức 4: thêm nộp phí \
                   trực tuyến, nhận kết quả trực tuyến, qua bưu chính hoặc tại quầy. Nghị định \
                   42/2022: mức 3 ≈ «một phần», mức 4 ≈ «toàn trình».",
        },
        en: Words {
            title: "The four levels of online public service",
            task: "Answer four questions about the levels of online service: select this exercise \
                   in the list and press the number of your answer.",
            prepare: "",
            steps: &["Answer the 4 questions right"],
            hint: "Level 1: information about the procedure. Level 2: + download forms. Level 3: + \
                   fill in and submit online; fee and result at the office. Level 4: + pay online, \
                   result online, by post or at the desk. Decree 42/2022: level 3 ≈ \"partial\", \
                   level 4 ≈ \"full online\".",
        },
    },
    Exercise {
        id: ExerciseId::OnlineIntake,
        vi: Words {
            title: "Tiếp nhận và xử lý hồ sơ nộp trực tuyến",
            task: "Đăng nhập tiepnhan1. Trong hàng «Chờ tiếp nhận trực tuyến», mở một hồ sơ công dân nộp \
                   trực tuyến, tiếp nhận nó, rồi chuyển hồ sơ đó cho chuyên viên xử lý.",
            prepare: "",
            steps: &[
                "Tiếp nhận một hồ sơ nộp trực tuyến",
                "Chuyển xử lý chính hồ sơ đó",
            ],
            hint: "Tab 1 «Hồ sơ đến», hàng «Chờ tiếp nhận trực tuyến» (← →). Enter mở hồ sơ, a mở danh sách \
                   thao tác: «Tiếp nhận», xác nhận bằng Enter. Sau đó a → «Chuyển xử lý», người \
                   xử lý chuyenvien1.",
        },
        en: Words {
            title: "Receiving and processing dossiers submitted online",
            task: "Log in as tiepnhan1. In the \"Online, awaiting reception\" queue open a dossier a citizen \
                   submitted online, receive it, then forward that dossier to a specialist.",
            prepare: "",
            steps: &[
                "Receive a dossier submitted online",
                "Forward that same dossier",
            ],
            hint: "Tab 1 \"Incoming\", queue \"Online, awaiting reception\" (← →). Enter opens the dossier, a lists \
                   the actions: \"Receive\", confirm with Enter. Then a → \"Forward\", assignee \
                   chuyenvien1.",
        },
    },
    Exercise {
        id: ExerciseId::DeskIntake,
        vi: Words {
            title: "Tiếp nhận hồ sơ tại quầy thay công dân",
            task: "Một công dân mang hồ sơ giấy đến quầy. Ở tab 2 «Tiếp nhận», nhận hồ sơ cho công \
                   dân: thủ tục, người nộp, giấy tờ, cách trả kết quả, rồi gửi và in phiếu hẹn.",
            prepare: "",
            steps: &["Tạo một hồ sơ tiếp nhận tại quầy"],
            hint: "Alt+2 hoặc 2 mở «Tiếp nhận». Gõ tên thủ tục, Enter; nhập số định danh 12 số của \
                   công dân (ví dụ một công dân ở tab 3), Enter; đánh dấu giấy tờ bản giấy; chọn \
                   trả kết quả tại quầy; ở bước xem lại, đánh dấu cam kết và bấm Enter để gửi.",
        },
        en: Words {
            title: "Taking a dossier in at the desk for a citizen",
            task: "A citizen brings paper documents to the desk. In tab 2 \"Intake\", take the \
                   dossier in for them: procedure, applicant, documents, delivery, then submit and \
                   print the receipt.",
            prepare: "",
            steps: &["Create a dossier at the desk"],
            hint: "Alt+2 or 2 opens \"Intake\". Type the procedure's name, Enter; type the \
                   citizen's 12-digit number (for example one from tab 3), Enter; mark the paper \
                   documents; choose delivery at the desk; on the review step tick the declaration \
                   and press Enter to submit.",
        },
    },
    Exercise {
        id: ExerciseId::Supplement,
        vi: Words {
            title: "Yêu cầu bổ sung hồ sơ",
            task: "Hồ sơ thiếu giấy tờ: yêu cầu công dân bổ sung, ghi rõ lý do và giấy tờ còn \
                   thiếu (tiepnhan1 với hồ sơ chờ tiếp nhận, hoặc chuyenvien1 với hồ sơ đang xử lý, \
                   trong 3 ngày làm việc sau khi tiếp nhận).",
            prepare: "",
            steps: &["Gửi một yêu cầu bổ sung"],
            hint: "Mở hồ sơ, a → «Yêu cầu bổ sung». Ghi lý do, liệt kê giấy tờ thiếu cách nhau bằng \
                   dấu ;. Phiếu yêu cầu bổ sung là Mẫu 02 (phím f). Công dân mô phỏng gửi bổ sung \
                   khoảng nửa phút sau.",
        },
        en: Words {
            title: "Requesting a supplement",
            task: "A dossier lacks documents: ask the citizen for them, with the reason and the \
                   missing documents (tiepnhan1 on a dossier to receive, or chuyenvien1 on one in \
                   progress, within 3 working days of receipt).",
            prepare: "",
            steps: &["Send a supplement request"],
            hint: "Open the dossier, a → \"Request supplement\". Write the reason and list the \
                   missing documents separated by ;. The request is form 02 (key f). The \
                   simulated citizen sends the supplement about half a minute later.",
        },
    },
    Exercise {
        id: ExerciseId::Extension,
        vi: Words {
            title: "Gia hạn kèm thư xin lỗi",
            task: "Một hồ sơ đang xử lý không kịp hạn. Đăng nhập lanhdao1 và gia hạn hồ sơ (chỉ một \
                   lần, chậm nhất 1 ngày làm việc trước hạn), ghi lý do và hạn mới; thư xin lỗi \
                   công dân là Mẫu 04.",
            prepare: "Hồ sơ mẫu đang xử lý hầu như đã quá hạn hoặc đến hạn trong ngày, không gia \
                      hạn được. Dùng hồ sơ của bài 3: tiepnhan1, hàng «Mới tiếp nhận», chọn hồ \
                      sơ đó, a → «Chuyển xử lý» (chuyenvien1). Hồ sơ đang xử lý nào có cột Hạn \
                      còn từ 2 ngày trở lên cũng được.",
            steps: &["Gia hạn một hồ sơ"],
            hint: "Cần hồ sơ đang xử lý còn hạn ít nhất 1 ngày làm việc: tiếp nhận tại quầy một thủ \
                   tục giải quyết trong nhiều ngày (ví dụ xác nhận tình trạng hôn nhân), chuyển xử \
                   lý; rồi đăng nhập lanhdao1, mở hồ sơ đó, a → «Gia hạn (xin lỗi)». Hạn mới viết \
                   DD/MM/YYYY, muộn hơn hạn hiện tại. f → Mẫu 04 để xem thư xin lỗi.",
        },
        en: Words {
            title: "Extending with an apology",
            task: "A dossier in progress will miss its due date. Log in as lanhdao1 and extend it \
                   (once only, at the latest 1 working day before it is due), with the reason and \
                   the new due date; the apology letter is form 04.",
            prepare: "Seeded dossiers in progress are nearly all overdue or due today and cannot \
                      be extended. Use exercise 3's dossier: tiepnhan1, queue \"Newly \
                      received\", select it, a → \"Forward for processing\" (chuyenvien1). Any \
                      dossier in progress due 2 days or more ahead will do too.",
            steps: &["Extend a dossier"],
            hint: "It takes a dossier in progress due at least 1 working day ahead: take in at the \
                   desk a procedure that takes several days (a marital status certificate, say) \
                   and forward it; then log in as lanhdao1, open it, a → \"Extend (with \
                   apology)\". Write the new date as DD/MM/YYYY, later than the current one. f → \
                   form 04 shows the apology letter.",
        },
    },
    Exercise {
        id: ExerciseId::ApproveReturn,
        vi: Words {
            title: "Phê duyệt và trả kết quả",
            task: "Lãnh đạo (lanhdao1) phê duyệt một hồ sơ chờ duyệt; sau đó bộ phận một cửa \
                   (tiepnhan1) trả kết quả chính hồ sơ đó cho công dân.",
            prepare: "Nên đi tiếp với hồ sơ của bài 3 và 5: chuyenvien1, hàng «Đang xử lý», chọn \
                      hồ sơ đó, a → «Trình kết quả», ghi tóm tắt, Enter, Enter. (Hồ sơ mẫu chờ \
                      duyệt phần lớn chưa nộp phí.)",
            steps: &[
                "Lãnh đạo phê duyệt một hồ sơ",
                "Trả kết quả hồ sơ đã phê duyệt",
            ],
            hint: "lanhdao1: hàng «Đang xử lý», mở một hồ sơ «Chờ lãnh đạo duyệt» không có phí hoặc đã nộp phí, a → «Phê duyệt». Đăng \
                   xuất (Ctrl-L), đăng nhập tiepnhan1: hàng «Chờ trả kết quả», mở hồ sơ vừa duyệt, a → «Trả kết quả», chọn \
                   cách trả.",
        },
        en: Words {
            title: "Approving and returning the result",
            task: "The leader (lanhdao1) approves a dossier awaiting approval; then the desk \
                   (tiepnhan1) returns that dossier's result to the citizen.",
            prepare: "Best carried on with the dossier of exercises 3 and 5: chuyenvien1, queue \
                      \"In progress\", select it, a → \"Propose the result\", write a summary, \
                      Enter, Enter. (Most seeded dossiers awaiting approval owe a fee.)",
            steps: &[
                "The leader approves a dossier",
                "Return the approved dossier's result",
            ],
            hint: "lanhdao1: queue \"In progress\", open a dossier awaiting approval whose fee is paid (or free), a → \"Approve\". Log out \
                   (Ctrl-L), log in as tiepnhan1: queue \"Result to return\", open the approved dossier, \
                   a → \"Return result\", choose how.",
        },
    },
    Exercise {
        id: ExerciseId::Account,
        vi: Words {
            title: "Tạo tài khoản công dân và kích hoạt",
            task: "Tạo tài khoản cho một công dân chưa có (tab 3 «Công dân», Ctrl-N), đưa phiếu \
                   kích hoạt; rồi đóng vai công dân kích hoạt tài khoản bằng mã trên phiếu.",
            prepare: "",
            steps: &[
                "Tạo tài khoản công dân",
                "Công dân kích hoạt bằng mã trên phiếu",
            ],
            hint: "Số định danh 12 số phải đúng quy tắc (mã tỉnh, thế kỷ và giới tính, năm sinh). \
                   Ghi lại mã kích hoạt trên phiếu. Trong :baitap chọn bài này, bấm c, nhập số \
                   định danh, mã và một mật khẩu mới như công dân làm trên Cổng.",
        },
        en: Words {
            title: "Creating a citizen account and activating it",
            task: "Create an account for a citizen who has none (tab 3 \"Citizens\", Ctrl-N), hand \
                   over the activation slip; then play the citizen and activate the account with \
                   the slip's code.",
            prepare: "",
            steps: &[
                "Create a citizen account",
                "The citizen activates it with the slip's code",
            ],
            hint: "The 12-digit number must follow the rules (province code, century and gender, \
                   year of birth). Note the slip's activation code. In :exercises select this \
                   exercise, press c, type the number, the code and a new password, as the \
                   citizen does on the portal.",
        },
    },
    Exercise {
        id: ExerciseId::Cash,
        vi: Words {
            title: "Thu phí, lệ phí bằng tiền mặt",
            task: "Tiếp nhận tại quầy một hồ sơ có lệ phí và thu tiền mặt, ghi số biên lai.",
            prepare: "",
            steps: &["Ghi nhận một khoản nộp tiền mặt"],
            hint: "Chọn thủ tục có lệ phí (ví dụ cấp bản sao trích lục hộ tịch). Ở bước xem lại, \
                   chọn «Tiền mặt» và nhập số biên lai trước khi gửi.",
        },
        en: Words {
            title: "Taking a fee in cash",
            task: "Take in at the desk a dossier with a fee and record the cash paid, with the \
                   receipt number.",
            prepare: "",
            steps: &["Record a cash payment"],
            hint: "Choose a procedure with a fee (for example a copy of a civil status extract). \
                   On the review step choose \"Cash\" and type the receipt number before \
                   submitting.",
        },
    },
    Exercise {
        id: ExerciseId::VietQr,
        vi: Words {
            title: "Thu phí qua VietQR",
            task: "Tiếp nhận một hồ sơ có lệ phí, chọn nộp phí bằng VietQR và cho công dân quét mã \
                   trên màn hình; ngân hàng báo tiền về thì hồ sơ được ghi đã nộp phí.",
            prepare: "",
            steps: &[
                "Hiện mã VietQR của một hồ sơ chưa nộp phí",
                "Ngân hàng báo đã nhận tiền của hồ sơ đó",
            ],
            hint: "Ở bước xem lại chọn «VietQR», gửi hồ sơ; màn hình kết quả hiện mã QR. Trong hộp \
                   cát, «công dân» quét và chuyển khoản sau vài giây.",
        },
        en: Words {
            title: "Taking a fee by VietQR",
            task: "Take in a dossier with a fee, choose VietQR and let the citizen scan the code on \
                   the screen; when the bank reports the transfer the fee is marked paid.",
            prepare: "",
            steps: &[
                "Show the VietQR code of an unpaid dossier",
                "The bank reports that dossier's transfer",
            ],
            hint: "On the review step choose \"VietQR\" and submit; the done screen shows the QR \
                   code. In the sandbox the \"citizen\" scans and pays a few seconds later.",
        },
    },
    Exercise {
        id: ExerciseId::Digitize,
        vi: Words {
            title: "Số hóa hồ sơ giấy",
            task: "Công dân nộp giấy tờ bản giấy tại quầy. Khi tiếp nhận (tab 2), số hóa giấy tờ \
                   nhận bản giấy: đính kèm bản quét (tệp hoặc máy quét) và ghi loại giấy tờ, số, \
                   ngày cấp, nơi cấp, thời hạn. Giấy tờ đã số hóa vào kho dữ liệu của công dân.",
            prepare: "",
            steps: &[
                "Tiếp nhận tại quầy một hồ sơ",
                "Số hóa một giấy tờ bản giấy của hồ sơ",
            ],
            hint: "Ở bước 3 «Giấy tờ», chọn giấy tờ, bấm s: nhập đường dẫn tệp bản quét (Tab để \
                   gợi ý; Ctrl-S để quét bằng máy quét nếu có), Tab sang loại giấy tờ, số, ngày \
                   cấp (DD/MM/YYYY), nơi cấp, thời hạn, rồi Enter. Gửi hồ sơ như thường: bản số \
                   hóa đi kèm. Hồ sơ đã nhận cũng số hóa được: tab 1, mở hồ sơ, bấm s.",
        },
        en: Words {
            title: "Digitizing a paper dossier",
            task: "A citizen hands in paper at the desk. While taking the dossier in (tab 2), \
                   digitize a document taken on paper: attach its scan (a file or the scanner) \
                   and record its type, number, date of issue, issuer and validity. Digitized \
                   documents go into the citizen's store.",
            prepare: "",
            steps: &[
                "Take a dossier in at the desk",
                "Digitize one of its paper documents",
            ],
            hint: "On step 3 \"Documents\", select the document and press s: type the scan's file \
                   path (Tab completes; Ctrl-S scans with the scanner if there is one), Tab to the \
                   type, number, date of issue (DD/MM/YYYY), issuer, valid until, then Enter. \
                   Submit as usual: the digitization follows. A dossier already received can be \
                   digitized too: tab 1, open it, press s.",
        },
    },
    Exercise {
        id: ExerciseId::Reuse,
        vi: Words {
            title: "Dùng lại giấy tờ đã số hóa",
            task: "Công dân đã có giấy tờ trong kho dữ liệu (đã số hóa lần trước): khi tiếp nhận \
                   hồ sơ mới, dùng lại giấy tờ còn hạn thay vì yêu cầu nộp lại.",
            prepare: "Trong hộp cát, ba công dân đầu của mỗi cơ quan đã có căn cước công dân trong \
                      kho (ở cơ quan 1: Nguyễn Văn An 083078238953, Trần Thị Bích Ngọc, Lê Hoàng \
                      Phúc; chứng minh nhân dân cũ của chị Ngọc đã hết hạn, không dùng lại được).",
            steps: &["Dùng lại một giấy tờ trong kho khi tiếp nhận"],
            hint: "Tab 2, chọn thủ tục có giấy tờ tùy thân (ví dụ đăng ký khai sinh), nhập số \
                   083078238953. Ở bước 3, dòng «Giấy tờ tùy thân» có gợi ý giấy tờ trong kho: \
                   bấm u để dùng lại, rồi gửi hồ sơ.",
        },
        en: Words {
            title: "Reusing a digitized document",
            task: "The citizen already has documents in their store (digitized before): when \
                   taking a new dossier in, reuse a valid one instead of asking for it again.",
            prepare: "In the sandbox the first three citizens of each office have their identity \
                      card in the store (office 1: Nguyễn Văn An 083078238953, Trần Thị Bích \
                      Ngọc, Lê Hoàng Phúc; Ms Ngọc's old identity card has expired and cannot be \
                      reused).",
            steps: &["Reuse a stored document at intake"],
            hint: "Tab 2, choose a procedure with identity papers (birth registration, say) and \
                   type 083078238953. On step 3 the identity papers row offers the stored \
                   document: press u to reuse it, then submit.",
        },
    },
    Exercise {
        id: ExerciseId::Handover,
        vi: Words {
            title: "Trả kết quả, bàn giao và lấy ý kiến hài lòng",
            task: "Trả kết quả một hồ sơ tại quầy: ghi người nhận (công dân hoặc người được ủy \
                   quyền), giấy tờ kết quả trao và bản gốc trả lại; rồi quay màn hình cho công \
                   dân đánh giá mức độ hài lòng.",
            prepare: "Cần một hồ sơ «Chờ trả kết quả» không có phí hoặc đã nộp phí: hồ sơ của bài \
                      6 nếu chưa trả, hoặc duyệt thêm một hồ sơ như ở bài 6.",
            steps: &[
                "Trả kết quả tại quầy, ghi người nhận",
                "Ghi đánh giá của công dân cho chính hồ sơ đó",
            ],
            hint: "tiepnhan1: hàng «Chờ trả kết quả», mở hồ sơ, a → «Trả kết quả». Người nhận \
                   điền sẵn là người nộp; người khác đến nhận thì quét thẻ căn cước của họ (hoặc \
                   chọn «được ủy quyền» và ghi giấy ủy quyền). Ghi giấy tờ kết quả, Enter đến \
                   hết, Enter để gửi. Màn hình đánh giá hiện ra: ← → chọn mức, Tab để ghi góp \
                   ý, Enter gửi. Trong chi tiết hồ sơ, n cho xem thông báo công dân nhận được.",
        },
        en: Words {
            title: "Returning a result with its handover, and the citizen's rating",
            task: "Return a dossier's result at the desk: note who collects it (the applicant or \
                   someone authorized), the result documents issued and the originals handed \
                   back; then turn the screen to the citizen to rate how it went.",
            prepare: "You need a dossier \"Result to return\" that is free or paid: the one of \
                      exercise 6 if not returned yet, or approve another as in exercise 6.",
            steps: &[
                "Return a result at the desk, noting who collects it",
                "Record the citizen's rating of that dossier",
            ],
            hint: "tiepnhan1: queue \"Result to return\", open the dossier, a → \"Return the \
                   result\". The receiver is prefilled with the applicant; when someone else \
                   collects, scan their identity card (or choose \"authorized\" and note the \
                   authorization). Note the result documents, Enter to the end, Enter to send. \
                   The rating screen comes up: ← → to choose, Tab for a comment, Enter to send. \
                   In the detail, n shows the notices the citizen got.",
        },
    },
    Exercise {
        id: ExerciseId::CitizenOnline,
        vi: Words {
            title: "Hướng dẫn công dân nộp hồ sơ trực tuyến",
            task: "Đóng vai công dân trên trang công dân: nộp hồ sơ đăng ký khai sinh qua 13 bước; \
                   rồi, là cán bộ một cửa, tiếp nhận hồ sơ đó trong «Hồ sơ đến».",
            prepare: "Mở trình duyệt tới «trang công dân» in ở màn hình đăng nhập \
                      (http://127.0.0.1:…/). Đăng nhập bằng số định danh của một công dân mẫu \
                      (danh sách ở phím 3) và mật khẩu Motcua-demo-2026.",
            steps: &[
                "Nộp hồ sơ đăng ký khai sinh trên trang công dân",
                "Tiếp nhận hồ sơ đó tại quầy",
            ],
            hint: "Trang công dân: Nộp hồ sơ → Nộp hồ sơ mới → chọn phường, lĩnh vực Hộ tịch, \
                   mức 4, gõ «khai sinh», Tìm kiếm → Chọn trường hợp → Đồng ý và tiếp tục → \
                   đính kèm 3 giấy tờ → nhận trực tiếp → mã xác nhận, cam đoan → Nộp hồ sơ. \
                   Trong motcua: hàng «Chờ tiếp nhận trực tuyến», Enter trên mã vừa nộp, a, \
                   Tiếp nhận.",
        },
        en: Words {
            title: "Guiding a citizen online",
            task: "Play the citizen on the citizen pages: submit a birth registration in the 13 \
                   steps; then, as the one-stop desk, receive that dossier in \"Incoming\".",
            prepare: "Open a browser at the \"citizen pages\" address on the login screen \
                      (http://127.0.0.1:…/). Log in with the identity number of a demo citizen \
                      (listed under key 3) and the password Motcua-demo-2026.",
            steps: &[
                "Submit a birth registration on the citizen pages",
                "Receive that dossier at the desk",
            ],
            hint: "Citizen pages: Submit → New dossier → choose the ward, the field Hộ tịch, \
                   level 4, type \"khai sinh\", Search → choose the case → Agree and continue \
                   → attach the 3 documents → in person → confirmation code, declaration → \
                   Submit. In motcua: the \"Online, awaiting reception\" queue, Enter on the new \
                   code, a, Receive.",
        },
    },
    Exercise {
        id: ExerciseId::CertifyCopies,
        vi: Words {
            title: "Chứng thực ba bản sao của một giấy tờ 5 trang",
            task: "Một công dân mang đến bản chính một giấy tờ dài 5 trang và xin ba bản sao có \
                   chứng thực. Ở màn hình «Chứng thực», vào sổ chứng thực bản sao, thu lệ phí \
                   bằng tiền mặt và cho công dân biết số chứng thực.",
            prepare: "",
            steps: &[
                "Vào sổ chứng thực bản sao giấy tờ 5 trang, 3 bản",
                "Thu lệ phí 21.000 đ bằng tiền mặt",
                "Đọc số chứng thực trong sổ cho công dân",
            ],
            hint: "Phím 6 mở «Chứng thực». Chọn loại «Bản sao» (← →); nhập số định danh 12 số \
                   của công dân hoặc quét mã QR trên thẻ căn cước, Enter; ghi tên giấy tờ; Tab \
                   đến số trang: 5; Tab đến số bản: 3. Enter cho xem lệ phí: mỗi bản 2 × 2.000 \
                   + 3 × 1.000 = 7.000 đ, ba bản 21.000 đ. Enter để thu tiền mặt; số chứng \
                   thực (số trong sổ …-SCT/BS) hiện ra để đọc cho công dân.",
        },
        en: Words {
            title: "Certifying three copies of a 5-page document",
            task: "A citizen brings the original of a 5-page document and asks for three \
                   certified copies. In the \"Certify\" pane, enter the copy certification in \
                   its book, take the fee in cash and tell the citizen the entry number.",
            prepare: "",
            steps: &[
                "Enter a copy certification of a 5-page document, 3 copies",
                "Take the fee of 21,000 đ in cash",
                "Read the entry's number in the book to the citizen",
            ],
            hint: "Key 6 opens \"Certify\". Choose the kind \"Copy\" (← →); type the citizen's \
                   12-digit number or scan the QR code on their chip card, Enter; write the \
                   document's name; Tab to the pages: 5; Tab to the copies: 3. Enter shows the \
                   fee: 2 × 2,000 + 3 × 1,000 = 7,000 đ a copy, 21,000 đ for three. Enter \
                   takes it in cash; the entry's number (in the book …-SCT/BS) comes up to read \
                   to the citizen.",
        },
    },
    Exercise {
        id: ExerciseId::Outage,
        vi: Words {
            title: "Tiếp nhận hồ sơ khi mất mạng",
            task: "Mạng của phường mất giữa buổi. Gõ :offline (chỉ có khi đào tạo: máy mất kết \
                   nối tới cổng), rồi vẫn tiếp nhận một hồ sơ tại quầy và in phiếu hẹn: hồ sơ \
                   nhận số giữ trước, phiếu ghi mã hồ sơ chính thức. Gõ :online để nối mạng lại; \
                   hàng chờ gửi hồ sơ lên cổng. Bài được chấm khi hồ sơ đã đến cổng.",
            prepare: "Khi còn mạng, đăng nhập tiepnhan1 (máy giữ trước số hồ sơ và bản sao danh \
                      mục thủ tục) và tra ở tab 3 công dân sẽ nộp hồ sơ: khi mất mạng chỉ tìm \
                      được công dân đã tra (hoặc tạo tài khoản mới, tài khoản vào hàng chờ).",
            steps: &[
                "Hồ sơ tiếp nhận khi mất mạng đến cổng đúng mã đã in trên phiếu",
                "Chuyển xử lý chính hồ sơ đó",
            ],
            hint: "Gõ :offline; thanh trạng thái ghi «còn N số giữ trước». Phím 2 «Tiếp nhận»: \
                   thủ tục (ví dụ gõ «ket hon»), số định danh của công dân đã tra, giấy tờ, cách \
                   trả kết quả; ở bước xem lại bấm Enter: màn hình hoàn tất ghi mã hồ sơ và \
                   «Tiếp nhận khi mất mạng lúc …»; p in phiếu. Gõ :online (đăng nhập lại nếu \
                   được hỏi) và chờ thanh trạng thái ghi «chờ gửi: 0». Rồi phím 1, mở hồ sơ đó, a → \
                   «Chuyển xử lý», người xử lý chuyenvien1.",
        },
        en: Words {
            title: "Taking a dossier in during an outage",
            task: "The ward's link goes down. Type :offline (training only), take a dossier in \
                   at the desk all the same and print its receipt: a held number gives it its \
                   final code. Type :online: the outbox sends it. Judged once it has reached \
                   the portal.",
            prepare: "While online (as tiepnhan1: the desk holds numbers and the catalog), \
                      look the applicant up in tab 3: offline, only citizens looked up are \
                      found (or make a new account: it waits in the outbox).",
            steps: &[
                "A dossier taken in with the link down reaches the portal on the code printed",
                "Forward that same dossier",
            ],
            hint: "Type :offline: the status bar says \"N numbers held\". Key 2 \"Intake\": the \
                   procedure (e.g. \"ket hon\"), the citizen's number, the documents, the \
                   return; Enter on the review: the done screen shows the code and \"Taken in \
                   offline at …\"; p prints the receipt. Type :online (log in again if asked) \
                   until \"outbox: 0\". Then key 1, open that dossier, a → \"Forward\", \
                   assignee chuyenvien1.",
        },
    },
];

/// What the certification exercise asks for: copies of a document of this many pages…
pub const CERTIFY_PAGES: u32 = 5;
/// …this many of them.
pub const CERTIFY_COPIES: u32 = 3;

/// The procedure the exercise of guiding a citizen asks for: birth registration.
pub const GUIDED_PROCEDURE: &str = "1.001193";

/// An exercise's number in the course, from 1.
pub fn number(id: ExerciseId) -> usize {
    EXERCISES.iter().position(|e| e.id == id).unwrap_or(0) + 1
}

pub fn exercise(id: ExerciseId) -> &'static Exercise {
    EXERCISES
        .iter()
        .find(|e| e.id == id)
        .expect("every id has an exercise")
}

/// One question of the levels quiz: the answers are numbered from 1.
pub struct Question {
    pub vi: (&'static str, [&'static str; 3]),
    pub en: (&'static str, [&'static str; 3]),
    /// Index (from 0) of the right answer.
    pub right: usize,
}

impl Question {
    pub fn text(&self, lang: Lang) -> (&'static str, [&'static str; 3]) {
        match lang {
            Lang::Vi => self.vi,
            Lang::En => self.en,
        }
    }
}

pub const QUIZ: [Question; 4] = [
    Question {
        vi: (
            "Mức độ 2 thêm gì so với mức độ 1?",
            [
                "Tải mẫu đơn, tờ khai về điền",
                "Nộp hồ sơ trực tuyến",
                "Nộp phí trực tuyến",
            ],
        ),
        en: (
            "What does level 2 add to level 1?",
            [
                "Downloading the forms to fill in",
                "Submitting online",
                "Paying the fee online",
            ],
        ),
        right: 0,
    },
    Question {
        vi: (
            "Ở mức độ 3, công dân nộp phí và nhận kết quả ở đâu?",
            ["Trực tuyến", "Tại cơ quan giải quyết", "Không phải nộp phí"],
        ),
        en: (
            "At level 3, where does the citizen pay and get the result?",
            ["Online", "At the office", "There is no fee"],
        ),
        right: 1,
    },
    Question {
        vi: (
            "Mức độ 4 thêm gì so với mức độ 3?",
            [
                "Xem thông tin thủ tục",
                "Nộp hồ sơ giấy tại quầy",
                "Nộp phí trực tuyến; nhận kết quả trực tuyến, qua bưu chính hoặc tại quầy",
            ],
        ),
        en: (
            "What does level 4 add to level 3?",
            [
                "Reading about the procedure",
                "Handing in paper at the desk",
                "Paying online; the result online, by post or at the desk",
            ],
        ),
        right: 2,
    },
    Question {
        vi: (
            "Theo Nghị định 42/2022, dịch vụ mức độ 4 nay gọi là gì?",
            ["Một phần", "Toàn trình", "Trực tiếp"],
        ),
        en: (
            "Under Decree 42/2022, what is a level-4 service called now?",
            ["Partial", "Full online (toàn trình)", "In person"],
        ),
        right: 1,
    },
];

/// What the trainee's machine keeps between runs: what the sandbox cannot tell.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved {
    /// Exercises whose hint was shown.
    #[serde(default)]
    pub hints: BTreeSet<ExerciseId>,
    /// Quiz questions answered right so far.
    #[serde(default)]
    pub quiz_right: usize,
    /// Mistakes the app caught before anything reached the portal (a quiz answer, an
    /// action without its reason), with the rule's message and the exercise they belong
    /// to.
    #[serde(default)]
    pub caught: Vec<Caught>,
}

/// A mistake the app caught, kept between runs. Older files hold the message alone: it
/// is read as a mistake of no exercise in particular.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "CaughtFile")]
pub struct Caught {
    pub exercise: Option<ExerciseId>,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum CaughtFile {
    Message(String),
    Entry {
        #[serde(default)]
        exercise: Option<ExerciseId>,
        message: String,
    },
}

impl From<CaughtFile> for Caught {
    fn from(file: CaughtFile) -> Caught {
        match file {
            CaughtFile::Message(message) => Caught {
                exercise: None,
                message,
            },
            CaughtFile::Entry { exercise, message } => Caught { exercise, message },
        }
    }
}

/// The exercise an action's mistake belongs to: the one that practises the action.
pub fn exercise_of(action: Action) -> Option<ExerciseId> {
    Some(match action {
        Action::Receive | Action::Refuse | Action::Forward => ExerciseId::OnlineIntake,
        Action::RequestSupplement | Action::SupplementReceived => ExerciseId::Supplement,
        // Stopping instead of extending is the mistake the extension exercise warns of.
        Action::Extend | Action::Stop => ExerciseId::Extension,
        Action::ProposeResult | Action::Approve | Action::SendBack | Action::ReturnResult => {
            ExerciseId::ApproveReturn
        }
        Action::RequestPayment | Action::PaymentRecorded | Action::Withdraw => return None,
    })
}

/// The judge: feed it the journal and the quiz, read the progress.
#[derive(Debug, Clone, Default)]
pub struct Tracker {
    pub saved: Saved,
    /// The last journal id seen.
    pub last_id: i64,
    steps: BTreeSet<(ExerciseId, usize)>,
    done: BTreeSet<ExerciseId>,
    received_online: BTreeSet<String>,
    approved: BTreeSet<String>,
    created_citizens: BTreeSet<String>,
    qr_shown: BTreeSet<String>,
    /// Dossiers a trainee returned at the desk, for the rating step.
    returned: BTreeSet<String>,
    /// Birth registrations submitted on the citizen pages, for the guided exercise.
    on_pages: BTreeSet<String>,
    /// Dossiers a trainee took in with the link down that reached the portal.
    arrived_offline: BTreeSet<String>,
    /// Actions the portal refused a trainee, in the rule's words.
    refused: Vec<String>,
    /// The latest mistake of either kind (refused or caught).
    last_mistake: Option<String>,
    /// The latest mistake of each exercise: what its screen quotes. A mistake of no
    /// exercise in particular goes to the one the trainee was on (the first not done).
    last_mistakes: std::collections::BTreeMap<ExerciseId, String>,
    /// The number of the last account staff created, for the activation step.
    last_created: Option<String>,
}

/// The roles a trainee plays. An administrator's rows are the sandbox's own (the
/// simulator reads payments as one), never a trainee's work.
pub fn is_trainee(entry: &JournalEntry) -> bool {
    matches!(
        entry.role,
        Some(Role::Reception | Role::Specialist | Role::Leader)
    )
}

impl Tracker {
    pub fn new(saved: Saved) -> Tracker {
        let mut t = Tracker {
            saved,
            ..Tracker::default()
        };
        if t.saved.quiz_right >= QUIZ.len() {
            t.finish(ExerciseId::Levels, 0);
        }
        for c in t.saved.caught.clone() {
            t.note(c.exercise, c.message);
        }
        t
    }

    /// Takes one journal entry in; answers the exercises it completed.
    pub fn observe(&mut self, e: &JournalEntry, lang: Lang) -> Vec<ExerciseId> {
        if e.id <= self.last_id {
            return vec![];
        }
        self.last_id = e.id;
        let before = self.done.clone();
        let code = e.dossier_code.clone().unwrap_or_default();
        let staff = is_trainee(e);
        let action = e.detail.as_deref().unwrap_or("");
        match e.event {
            AuditEvent::Transition if staff => match Action::from_wire(action) {
                Some(Action::Receive) if e.channel.as_deref() == Some("online") => {
                    self.received_online.insert(code.clone());
                    self.finish(ExerciseId::OnlineIntake, 0);
                    if self.on_pages.contains(&code) {
                        self.finish(ExerciseId::CitizenOnline, 1);
                    }
                }
                Some(Action::Forward) => {
                    if self.received_online.contains(&code) {
                        self.finish(ExerciseId::OnlineIntake, 1);
                    }
                    if self.arrived_offline.contains(&code) {
                        self.finish(ExerciseId::Outage, 1);
                    }
                }
                Some(Action::RequestSupplement) => self.finish(ExerciseId::Supplement, 0),
                Some(Action::Extend) => self.finish(ExerciseId::Extension, 0),
                Some(Action::Approve) => {
                    self.approved.insert(code.clone());
                    self.finish(ExerciseId::ApproveReturn, 0);
                }
                Some(Action::ReturnResult) => {
                    if self.approved.contains(&code) {
                        self.finish(ExerciseId::ApproveReturn, 1);
                    }
                    // The portal takes a return only with its handover (who collected,
                    // or the tracking code): the step itself is the proof.
                    self.returned.insert(code.clone());
                    self.finish(ExerciseId::Handover, 0);
                }
                _ => {}
            },
            AuditEvent::DossierCreated if staff && e.channel.as_deref() != Some("online") => {
                self.finish(ExerciseId::DeskIntake, 0);
                self.finish(ExerciseId::Digitize, 0);
            }
            // Digitizing a dossier received earlier (from its detail) is the task done
            // another way: the intake step counts as taken.
            AuditEvent::DocumentDigitized if staff => {
                self.finish(ExerciseId::Digitize, 0);
                self.finish(ExerciseId::Digitize, 1);
            }
            AuditEvent::DocumentReused if staff => self.finish(ExerciseId::Reuse, 0),
            // Written when a dossier numbered with a held number arrives: after the sync,
            // on the code the desk printed (the portal refuses any other).
            AuditEvent::OfflineIntakeArrived if staff => {
                self.arrived_offline.insert(code.clone());
                self.finish(ExerciseId::Outage, 0);
            }
            // A citizen's own submission on the pages says so, with its procedure (the
            // simulator's come through the API and say nothing).
            AuditEvent::DossierCreated
                if e.role == Some(Role::Citizen)
                    && action == format!("pages {GUIDED_PROCEDURE}") =>
            {
                self.on_pages.insert(code.clone());
                self.finish(ExerciseId::CitizenOnline, 0);
            }
            AuditEvent::CitizenCreated if staff => {
                if let Some(number) = &e.citizen_number {
                    self.created_citizens.insert(number.clone());
                    self.last_created = Some(number.clone());
                    self.finish(ExerciseId::Account, 0);
                }
            }
            AuditEvent::CitizenActivated => {
                if let Some(number) = e.citizen_number.as_ref().or(e.username.as_ref())
                    && self.created_citizens.contains(number)
                {
                    self.finish(ExerciseId::Account, 1);
                }
            }
            // Recorded at the desk (`reason` is the channel) for a dossier the trainee
            // returned: the citizen's rating taken on the spot.
            AuditEvent::RatingRecorded
                if staff
                    && e.reason.as_deref() == Some("desk")
                    && self.returned.contains(&code) =>
            {
                self.finish(ExerciseId::Handover, 1);
            }
            AuditEvent::PaymentQrShown if staff => {
                self.qr_shown.insert(code.clone());
                self.finish(ExerciseId::VietQr, 0);
            }
            AuditEvent::PaymentRecorded => {
                if staff && action.starts_with("cash") {
                    self.finish(ExerciseId::Cash, 0);
                } else if action.starts_with("vietqr") && self.qr_shown.contains(&code) {
                    self.finish(ExerciseId::VietQr, 1);
                }
            }
            // One entry in the copy book proves the three steps: the copies of the
            // document, the fee taken in cash (`reason`), and the entry's number, which
            // the pane shows once the book has it.
            AuditEvent::CertificationRecorded
                if staff
                    && action.split_whitespace().next() == Some("copy")
                    && e.pages == Some(CERTIFY_PAGES)
                    && e.copies == Some(CERTIFY_COPIES) =>
            {
                self.finish(ExerciseId::CertifyCopies, 0);
                if e.reason.as_deref().is_some_and(|r| r.starts_with("cash")) {
                    self.finish(ExerciseId::CertifyCopies, 1);
                    self.finish(ExerciseId::CertifyCopies, 2);
                }
            }
            AuditEvent::ActionRefused if staff => {
                let text = refusal_text(lang, action, e.reason.as_deref().unwrap_or(""), &code);
                self.note(
                    Action::from_wire(action).and_then(exercise_of),
                    text.clone(),
                );
                self.refused.push(text);
            }
            _ => {}
        }
        self.done.difference(&before).copied().collect()
    }

    /// Ticks a step; the exercise is done when all its steps are, in order.
    fn finish(&mut self, id: ExerciseId, step: usize) {
        let steps = exercise(id).vi.steps.len();
        if step > 0 && !self.steps.contains(&(id, step - 1)) {
            return;
        }
        self.steps.insert((id, step));
        if step + 1 == steps {
            self.done.insert(id);
        }
    }

    /// The next quiz question, while the quiz is not finished.
    pub fn question(&self) -> Option<(usize, &'static Question)> {
        QUIZ.get(self.saved.quiz_right)
            .map(|q| (self.saved.quiz_right, q))
    }

    /// Answers the current question (`choice` from 0): right moves on, wrong is a mistake
    /// with the explanation. `Ok(true)` when the quiz is now finished.
    pub fn answer(&mut self, choice: usize, lang: Lang) -> Result<bool, String> {
        let Some((_, q)) = self.question() else {
            return Ok(true);
        };
        if choice == q.right {
            self.saved.quiz_right += 1;
            if self.saved.quiz_right == QUIZ.len() {
                self.finish(ExerciseId::Levels, 0);
                return Ok(true);
            }
            Ok(false)
        } else {
            let (question, answers) = q.text(lang);
            let text = match lang {
                Lang::Vi => format!(
                    "Chưa đúng: «{question}» — đáp án là «{}».",
                    answers[q.right]
                ),
                Lang::En => format!(
                    "Not right: \"{question}\" — the answer is \"{}\".",
                    answers[q.right]
                ),
            };
            self.caught(Some(ExerciseId::Levels), text.clone());
            Err(text)
        }
    }

    /// A mistake the app caught before the portal saw it (the rule's message), in
    /// `exercise` when it is known.
    pub fn caught(&mut self, exercise: Option<ExerciseId>, message: String) {
        self.note(exercise, message.clone());
        self.saved.caught.push(Caught { exercise, message });
    }

    /// The latest mistake, and the latest of its exercise.
    fn note(&mut self, exercise: Option<ExerciseId>, message: String) {
        if let Some(id) = exercise.or_else(|| self.current()) {
            self.last_mistakes.insert(id, message.clone());
        }
        self.last_mistake = Some(message);
    }

    /// Shows an exercise's hint: from now on it is worth less.
    pub fn hint(&mut self, id: ExerciseId) {
        self.saved.hints.insert(id);
    }

    /// The account the trainee made last, whose activation the next step waits for.
    pub fn last_created_citizen(&self) -> Option<&str> {
        self.last_created.as_deref()
    }

    pub fn is_done(&self, id: ExerciseId) -> bool {
        self.done.contains(&id)
    }

    pub fn step_done(&self, id: ExerciseId, step: usize) -> bool {
        self.steps.contains(&(id, step))
    }

    pub fn done_count(&self) -> usize {
        self.done.len()
    }

    /// The first exercise not done yet, in course order.
    pub fn current(&self) -> Option<ExerciseId> {
        EXERCISES.iter().map(|e| e.id).find(|id| !self.is_done(*id))
    }

    /// The latest mistake, of either kind, as the trainee should read it.
    pub fn last_mistake(&self) -> Option<&str> {
        self.last_mistake.as_deref()
    }

    /// The latest mistake made in exercise `id`: what its screen quotes, never another
    /// exercise's.
    pub fn last_mistake_of(&self, id: ExerciseId) -> Option<&str> {
        self.last_mistakes.get(&id).map(String::as_str)
    }

    pub fn mistake_count(&self) -> usize {
        self.refused.len() + self.saved.caught.len()
    }

    /// Points for one exercise: full marks, less a hint's cost if one was shown.
    pub fn points(&self, id: ExerciseId) -> u32 {
        if !self.is_done(id) {
            return 0;
        }
        if self.saved.hints.contains(&id) {
            POINTS - HINT_COST
        } else {
            POINTS
        }
    }

    /// The score: the exercises' points less the mistakes, never below 0.
    pub fn score(&self) -> u32 {
        let earned: u32 = EXERCISES.iter().map(|e| self.points(e.id)).sum();
        earned.saturating_sub(MISTAKE_COST * self.mistake_count() as u32)
    }

    pub fn max_score() -> u32 {
        POINTS * EXERCISES.len() as u32
    }
}

/// A refused action as the trainee reads it: the action, the dossier, the rule broken.
fn refusal_text(lang: Lang, action: &str, rule: &str, code: &str) -> String {
    let action_label = Action::from_wire(action)
        .map(|a| a.label(lang).to_owned())
        .unwrap_or_else(|| action.to_owned());
    let why = match (ErrorCode::from_wire(rule), lang) {
        (Some(ErrorCode::InvalidTransition), Lang::Vi) => {
            "hồ sơ không ở trạng thái cho phép thao tác này"
        }
        (Some(ErrorCode::InvalidTransition), Lang::En) => "the dossier's status does not allow it",
        (Some(ErrorCode::ForbiddenAction), Lang::Vi) => {
            "vai trò của bạn không được làm thao tác này"
        }
        (Some(ErrorCode::ForbiddenAction), Lang::En) => "your role may not do it",
        (Some(ErrorCode::SupplementWindowClosed), Lang::Vi) => {
            "đã quá 3 ngày làm việc sau khi tiếp nhận, không còn yêu cầu bổ sung được"
        }
        (Some(ErrorCode::SupplementWindowClosed), Lang::En) => "past 3 working days after receipt",
        (Some(ErrorCode::ExtensionAlreadyUsed), Lang::Vi) => "hồ sơ đã được gia hạn một lần",
        (Some(ErrorCode::ExtensionAlreadyUsed), Lang::En) => {
            "the dossier was extended once already"
        }
        (Some(ErrorCode::ExtensionTooLate), Lang::Vi) => {
            "phải gia hạn chậm nhất 1 ngày làm việc trước hạn"
        }
        (Some(ErrorCode::ExtensionTooLate), Lang::En) => {
            "an extension is due 1 working day before the due time"
        }
        (Some(ErrorCode::PaymentRequired), Lang::Vi) => "lệ phí chưa được nộp",
        (Some(ErrorCode::PaymentRequired), Lang::En) => "the fee has not been paid",
        (Some(ErrorCode::ValidationFailed), Lang::Vi) => {
            "thông tin nhập chưa đúng (thiếu, sai định dạng, hoặc hạn mới không muộn hơn hạn cũ)"
        }
        (Some(ErrorCode::ValidationFailed), Lang::En) => {
            "an input is missing or wrong (or the new due time is not later than the current one)"
        }
        _ => rule,
    };
    match lang {
        Lang::Vi => format!("«{action_label}» hồ sơ {code} bị từ chối: {why}."),
        Lang::En => format!("\"{action_label}\" on {code} was refused: {why}."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: i64, event: AuditEvent, role: &str) -> JournalEntry {
        JournalEntry {
            id,
            at: "2026-11-30T09:00:00+07:00".into(),
            event,
            role: Some(Role::from_wire(role).expect("a role's wire name")),
            ..JournalEntry::default()
        }
    }

    fn transition(id: i64, role: &str, action: &str, code: &str, channel: &str) -> JournalEntry {
        JournalEntry {
            detail: Some(action.into()),
            dossier_code: Some(code.into()),
            channel: Some(channel.into()),
            ..entry(id, AuditEvent::Transition, role)
        }
    }

    #[test]
    fn every_exercise_has_both_languages_with_as_many_steps() {
        for e in &EXERCISES {
            assert_eq!(e.vi.steps.len(), e.en.steps.len(), "{:?}", e.id);
            assert!(!e.vi.steps.is_empty());
            for w in [&e.vi, &e.en] {
                assert!(!w.title.is_empty() && !w.task.is_empty() && !w.hint.is_empty());
            }
        }
    }

    #[test]
    fn receiving_online_then_forwarding_the_same_dossier_is_the_online_exercise() {
        let mut t = Tracker::default();
        // A desk dossier received does not count; forwarding another dossier does not either.
        t.observe(
            &transition(1, "reception", "receive", "A", "desk"),
            Lang::Vi,
        );
        t.observe(
            &transition(2, "reception", "receive", "B", "online"),
            Lang::Vi,
        );
        assert!(t.step_done(ExerciseId::OnlineIntake, 0));
        assert!(
            t.observe(
                &transition(3, "reception", "forward", "A", "desk"),
                Lang::Vi
            )
            .is_empty()
        );
        assert!(!t.is_done(ExerciseId::OnlineIntake));
        let done = t.observe(
            &transition(4, "reception", "forward", "B", "online"),
            Lang::Vi,
        );
        assert_eq!(done, vec![ExerciseId::OnlineIntake]);
        assert_eq!(t.points(ExerciseId::OnlineIntake), POINTS);
    }

    #[test]
    fn digitizing_at_intake_or_later_and_reusing_are_judged_from_the_journal() {
        let mut t = Tracker::default();
        let on = |id, event, code: &str| JournalEntry {
            dossier_code: Some(code.into()),
            channel: Some("desk".into()),
            detail: Some("giay_to_tuy_than".into()),
            ..entry(id, event, "reception")
        };
        t.observe(&on(1, AuditEvent::DossierCreated, "A"), Lang::Vi);
        assert!(t.step_done(ExerciseId::Digitize, 0));
        assert!(!t.is_done(ExerciseId::Digitize));
        let done = t.observe(&on(2, AuditEvent::DocumentDigitized, "A"), Lang::Vi);
        assert!(done.contains(&ExerciseId::Digitize), "{done:?}");
        // Digitized later from the detail, without an intake of one's own: done as well.
        let mut later = Tracker::default();
        later.observe(&on(1, AuditEvent::DocumentDigitized, "B"), Lang::Vi);
        assert!(later.is_done(ExerciseId::Digitize));
        // A reuse by the desk; a citizen's own reuse online is not the trainee's.
        let mut reuse = Tracker::default();
        reuse.observe(
            &JournalEntry {
                role: Some(Role::Citizen),
                ..on(1, AuditEvent::DocumentReused, "C")
            },
            Lang::Vi,
        );
        assert!(!reuse.is_done(ExerciseId::Reuse));
        let done = reuse.observe(&on(2, AuditEvent::DocumentReused, "C"), Lang::Vi);
        assert_eq!(done, vec![ExerciseId::Reuse]);
    }

    #[test]
    fn a_citizen_acting_never_completes_a_staff_exercise() {
        let mut t = Tracker::default();
        t.observe(
            &transition(1, "citizen", "request_supplement", "A", "online"),
            Lang::Vi,
        );
        t.observe(&transition(2, "system", "extend", "A", "online"), Lang::Vi);
        assert_eq!(t.done_count(), 0);
    }

    #[test]
    fn approval_then_return_of_the_same_dossier() {
        let mut t = Tracker::default();
        t.observe(
            &transition(1, "reception", "return_result", "X", "desk"),
            Lang::Vi,
        );
        t.observe(&transition(2, "leader", "approve", "Y", "desk"), Lang::Vi);
        t.observe(
            &transition(3, "reception", "return_result", "X", "desk"),
            Lang::Vi,
        );
        assert!(!t.is_done(ExerciseId::ApproveReturn));
        t.observe(
            &transition(4, "reception", "return_result", "Y", "desk"),
            Lang::Vi,
        );
        assert!(t.is_done(ExerciseId::ApproveReturn));
    }

    #[test]
    fn an_account_counts_once_the_citizen_it_created_activates() {
        let mut t = Tracker::default();
        let activated = |id, number: &str| JournalEntry {
            citizen_number: Some(number.into()),
            username: Some(number.into()),
            ..entry(id, AuditEvent::CitizenActivated, "citizen")
        };
        // A seeded citizen activating proves nothing about the trainee's account.
        t.observe(&activated(1, "083095000123"), Lang::Vi);
        let created = JournalEntry {
            citizen_number: Some("083095000999".into()),
            ..entry(2, AuditEvent::CitizenCreated, "reception")
        };
        t.observe(&created, Lang::Vi);
        assert!(!t.is_done(ExerciseId::Account));
        t.observe(&activated(3, "083095000999"), Lang::Vi);
        assert!(t.is_done(ExerciseId::Account));
    }

    #[test]
    fn fees_cash_by_staff_and_vietqr_after_the_code_was_shown() {
        let mut t = Tracker::default();
        let paid = |id, role: &str, detail: &str, code: &str| JournalEntry {
            detail: Some(detail.into()),
            dossier_code: Some(code.into()),
            ..entry(id, AuditEvent::PaymentRecorded, role)
        };
        t.observe(&paid(1, "system", "vietqr 8000", "Q"), Lang::Vi);
        assert!(
            !t.is_done(ExerciseId::VietQr),
            "a transfer nobody showed a code for"
        );
        let shown = JournalEntry {
            dossier_code: Some("Q".into()),
            ..entry(12, AuditEvent::PaymentQrShown, "reception")
        };
        t.observe(&shown, Lang::Vi);
        t.observe(&paid(13, "system", "vietqr 8000", "Q"), Lang::Vi);
        assert!(t.is_done(ExerciseId::VietQr));
        t.observe(&paid(14, "reception", "cash 8000", "C"), Lang::Vi);
        assert!(t.is_done(ExerciseId::Cash));
    }

    #[test]
    fn desk_intake_is_a_dossier_created_by_staff_not_online() {
        let mut t = Tracker::default();
        let created = |id, role: &str, channel: &str| JournalEntry {
            dossier_code: Some("D".into()),
            channel: Some(channel.into()),
            ..entry(id, AuditEvent::DossierCreated, role)
        };
        t.observe(&created(1, "citizen", "online"), Lang::Vi);
        assert!(!t.is_done(ExerciseId::DeskIntake));
        t.observe(&created(2, "reception", "desk"), Lang::Vi);
        assert!(t.is_done(ExerciseId::DeskIntake));
    }

    #[test]
    fn a_birth_registration_on_the_pages_then_received_is_the_guided_exercise() {
        let mut t = Tracker::default();
        let created = |id, code: &str, detail: Option<&str>| JournalEntry {
            dossier_code: Some(code.into()),
            channel: Some("online".into()),
            detail: detail.map(str::to_owned),
            ..entry(id, AuditEvent::DossierCreated, "citizen")
        };
        // The simulator's (through the API) and another procedure's do not count.
        t.observe(&created(1, "SIM", None), Lang::Vi);
        t.observe(&created(2, "KH", Some("pages 1.000894")), Lang::Vi);
        t.observe(
            &transition(3, "reception", "receive", "SIM", "online"),
            Lang::Vi,
        );
        assert!(!t.step_done(ExerciseId::CitizenOnline, 0));
        t.observe(&created(4, "KS", Some("pages 1.001193")), Lang::Vi);
        assert!(t.step_done(ExerciseId::CitizenOnline, 0));
        assert!(!t.is_done(ExerciseId::CitizenOnline));
        t.observe(
            &transition(5, "reception", "receive", "KS", "online"),
            Lang::Vi,
        );
        assert!(t.is_done(ExerciseId::CitizenOnline));
    }

    #[test]
    fn a_dossier_taken_in_offline_is_judged_when_it_arrives_then_forwarded() {
        let mut t = Tracker::new(Saved::default());
        let arrived = |id, role: &str, code: &str| JournalEntry {
            dossier_code: Some(code.into()),
            detail: Some("2026-11-30T08:40:00+07:00".into()),
            ..entry(id, AuditEvent::OfflineIntakeArrived, role)
        };
        // Forwarding a dossier taken in online is not it; nor is a dossier a citizen's
        // numbers brought in, nor one an administrator's desk sent.
        t.observe(
            &transition(1, "reception", "forward", "X", "desk"),
            Lang::Vi,
        );
        t.observe(&arrived(2, "admin", "Y"), Lang::Vi);
        t.observe(
            &transition(3, "reception", "forward", "Y", "desk"),
            Lang::Vi,
        );
        assert!(!t.step_done(ExerciseId::Outage, 0));
        t.observe(&arrived(4, "reception", "Z"), Lang::Vi);
        assert!(t.step_done(ExerciseId::Outage, 0));
        assert!(!t.is_done(ExerciseId::Outage));
        // Another dossier forwarded does not finish it; that one does.
        t.observe(
            &transition(5, "reception", "forward", "X", "desk"),
            Lang::Vi,
        );
        assert!(!t.is_done(ExerciseId::Outage));
        let done = t.observe(
            &transition(6, "reception", "forward", "Z", "desk"),
            Lang::Vi,
        );
        assert_eq!(done, vec![ExerciseId::Outage]);
        assert_eq!(number(ExerciseId::Outage), 15);
        assert_eq!(t.points(ExerciseId::Outage), POINTS);
    }

    #[test]
    fn three_copies_of_a_five_page_document_by_the_desk_is_the_certification_exercise() {
        let certified = |id, role: &str, detail: &str, pages, copies| JournalEntry {
            detail: Some(detail.into()),
            reason: Some(format!("cash {}", 7_000 * copies)),
            pages: Some(pages),
            copies: Some(copies),
            ..entry(id, AuditEvent::CertificationRecorded, role)
        };
        let copy = "copy 01/2026-SCT/BS số 12";
        let mut t = Tracker::default();
        // Two copies, four pages, a signature of five pages and three copies, or a
        // citizen's entry: not the exercise.
        for (id, role, detail, pages, copies) in [
            (1, "reception", copy, 5, 2),
            (2, "reception", copy, 4, 3),
            (3, "reception", "signature 01/2026-SCT/CK,ĐC số 4", 5, 3),
            (4, "citizen", copy, 5, 3),
            (5, "admin", copy, 5, 3),
        ] {
            assert!(
                t.observe(&certified(id, role, detail, pages, copies), Lang::Vi)
                    .is_empty(),
                "{role} {detail} {pages}×{copies}"
            );
        }
        assert!(!t.step_done(ExerciseId::CertifyCopies, 0));
        // An entry of an older portal, which does not say its pages and copies.
        let unsaid = JournalEntry {
            detail: Some(copy.into()),
            reason: Some("cash 21000".into()),
            ..entry(6, AuditEvent::CertificationRecorded, "reception")
        };
        assert!(t.observe(&unsaid, Lang::Vi).is_empty());
        let done = t.observe(&certified(7, "reception", copy, 5, 3), Lang::Vi);
        assert_eq!(done, vec![ExerciseId::CertifyCopies]);
        assert_eq!(t.points(ExerciseId::CertifyCopies), POINTS);
        assert_eq!(number(ExerciseId::CertifyCopies), 14);
        assert_eq!(EXERCISES[13].id, ExerciseId::CertifyCopies);
        // The words give the fee the portal takes.
        let fee = crate::domain::certification::fee(
            crate::api::certifications::Kind::Copy,
            Default::default(),
            CERTIFY_PAGES,
            CERTIFY_COPIES,
        );
        assert_eq!(fee, 21_000);
        assert!(
            exercise(ExerciseId::CertifyCopies)
                .vi
                .hint
                .contains("21.000 đ")
        );
        assert!(
            exercise(ExerciseId::CertifyCopies)
                .en
                .hint
                .contains("21,000 đ")
        );
    }

    #[test]
    fn entries_seen_before_are_not_taken_twice() {
        let mut t = Tracker::default();
        let refused = JournalEntry {
            detail: Some("extend".into()),
            reason: Some("extension_too_late".into()),
            dossier_code: Some("Z".into()),
            ..entry(5, AuditEvent::ActionRefused, "leader")
        };
        t.observe(&refused, Lang::Vi);
        t.observe(&refused, Lang::Vi);
        assert_eq!(t.mistake_count(), 1);
        let text = t.last_mistake().unwrap().to_owned();
        assert!(
            text.contains("Z") && text.contains("1 ngày làm việc"),
            "{text}"
        );
        // The latest mistake is the latest of either kind.
        t.caught(Some(ExerciseId::OnlineIntake), "thiếu lý do".into());
        assert_eq!(t.last_mistake(), Some("thiếu lý do"));
        let later = JournalEntry {
            id: 6,
            ..refused.clone()
        };
        t.observe(&later, Lang::Vi);
        assert_eq!(t.last_mistake(), Some(text.as_str()));
        assert_eq!(t.mistake_count(), 3);
    }

    #[test]
    fn the_quiz_needs_every_answer_right_and_a_wrong_one_costs_a_point() {
        let mut t = Tracker::default();
        for (i, q) in QUIZ.iter().enumerate() {
            let wrong = (q.right + 1) % 3;
            let err = t.answer(wrong, Lang::Vi).unwrap_err();
            assert!(err.contains(q.vi.1[q.right]), "{err}");
            assert_eq!(t.answer(q.right, Lang::Vi), Ok(i + 1 == QUIZ.len()));
        }
        assert!(t.is_done(ExerciseId::Levels));
        assert_eq!(t.score(), POINTS - MISTAKE_COST * QUIZ.len() as u32);
        // The quiz stays done on the next run.
        assert!(Tracker::new(t.saved.clone()).is_done(ExerciseId::Levels));
    }

    #[test]
    fn a_handover_then_the_citizens_rating_at_the_desk_of_that_dossier() {
        let rated = |id, code: &str, channel: &str, role: &str| JournalEntry {
            dossier_code: Some(code.into()),
            detail: Some("very_satisfied".into()),
            reason: Some(channel.into()),
            ..entry(id, AuditEvent::RatingRecorded, role)
        };
        let mut t = Tracker::default();
        // A rating before any return of the trainee's counts for nothing.
        assert!(
            t.observe(&rated(1, "R", "desk", "reception"), Lang::Vi)
                .is_empty()
        );
        t.observe(
            &transition(2, "reception", "return_result", "R", "desk"),
            Lang::Vi,
        );
        assert!(!t.is_done(ExerciseId::Handover));
        // Another dossier's rating, or one given online by the citizen: not this step.
        assert!(
            t.observe(&rated(3, "S", "desk", "reception"), Lang::Vi)
                .is_empty()
        );
        assert!(
            t.observe(&rated(4, "R", "online", "reception"), Lang::Vi)
                .is_empty()
        );
        assert_eq!(
            t.observe(&rated(5, "R", "desk", "reception"), Lang::Vi),
            vec![ExerciseId::Handover]
        );
        assert_eq!(number(ExerciseId::Handover), 12);
    }

    #[test]
    fn a_hint_costs_its_exercise_and_the_score_never_goes_below_zero() {
        let mut t = Tracker::default();
        t.hint(ExerciseId::Extension);
        t.observe(&transition(1, "leader", "extend", "E", "desk"), Lang::Vi);
        assert_eq!(t.points(ExerciseId::Extension), POINTS - HINT_COST);
        for _ in 0..20 {
            t.caught(None, "thiếu lý do".into());
        }
        assert_eq!(t.score(), 0);
        assert_eq!(Tracker::max_score(), 150);
    }

    #[test]
    fn each_exercise_quotes_its_own_last_mistake() {
        let mut t = Tracker::default();
        // A wrong quiz answer is the quiz's mistake, and no other exercise's.
        let wrong = (QUIZ[0].right + 1) % 3;
        let quiz = t.answer(wrong, Lang::Vi).unwrap_err();
        assert_eq!(t.last_mistake_of(ExerciseId::Levels), Some(quiz.as_str()));
        for e in EXERCISES.iter().filter(|e| e.id != ExerciseId::Levels) {
            assert_eq!(t.last_mistake_of(e.id), None, "{:?}", e.id);
        }
        // A refused extension is the extension exercise's; a refusal caught in a
        // dialog is the online intake's; the quiz keeps its own.
        let refused = JournalEntry {
            detail: Some("extend".into()),
            reason: Some("extension_too_late".into()),
            dossier_code: Some("Z".into()),
            ..entry(5, AuditEvent::ActionRefused, "leader")
        };
        t.observe(&refused, Lang::Vi);
        let extension = t.last_mistake_of(ExerciseId::Extension).unwrap().to_owned();
        assert!(extension.contains("Z"), "{extension}");
        t.caught(Some(ExerciseId::OnlineIntake), "thiếu lý do".into());
        assert_eq!(
            t.last_mistake_of(ExerciseId::OnlineIntake),
            Some("thiếu lý do")
        );
        assert_eq!(t.last_mistake_of(ExerciseId::Levels), Some(quiz.as_str()));
        assert_eq!(
            t.last_mistake_of(ExerciseId::Extension),
            Some(extension.as_str())
        );
        // They are all kept on the next run, each with its exercise.
        let again = Tracker::new(t.saved.clone());
        assert_eq!(
            again.last_mistake_of(ExerciseId::Levels),
            Some(quiz.as_str())
        );
        assert_eq!(
            again.last_mistake_of(ExerciseId::OnlineIntake),
            Some("thiếu lý do")
        );
    }

    #[test]
    fn caught_mistakes_of_an_older_progress_file_still_count() {
        let saved: Saved = serde_json::from_str(
            r#"{"hints": [], "quiz_right": 0, "caught": ["Chưa đúng", {"exercise": "extension", "message": "ngày sai"}]}"#,
        )
        .unwrap();
        let t = Tracker::new(saved);
        assert_eq!(t.mistake_count(), 2);
        assert_eq!(t.last_mistake_of(ExerciseId::Extension), Some("ngày sai"));
        // A message alone belongs to the exercise the trainee was on: the first.
        assert_eq!(t.last_mistake_of(ExerciseId::Levels), Some("Chưa đúng"));
    }

    #[test]
    fn the_extension_and_the_approval_say_how_to_prepare() {
        for id in [ExerciseId::Extension, ExerciseId::ApproveReturn] {
            for lang in [Lang::Vi, Lang::En] {
                assert!(!exercise(id).words(lang).prepare.is_empty(), "{id:?}");
            }
        }
        assert!(
            exercise(ExerciseId::Extension)
                .vi
                .prepare
                .contains("Chuyển xử lý")
        );
    }
}
