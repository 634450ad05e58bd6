"""Vietnamese texts of subscriptions, schedules and broadcasts, reviewed together here."""

from __future__ import annotations

# Audiences and joining ----------------------------------------------------------------

NAME_EMPTY = "Tên không được để trống."
NAME_TOO_LONG = "Tên dài quá (tối đa {limit} ký tự)."
GRANT_ONLY_STAFF = "Chỉ mã của nhóm cán bộ mới được kèm quyền."
PARENT_NOT_UNIT = "Đơn vị cấp trên phải là một đơn vị (Sở hoặc trường), không phải lớp hay nhóm."
UNKNOWN_CODE = (
    "Mã “{code}” không tồn tại. Bạn hãy kiểm tra lại (mã gồm 8 chữ và số, không có 0, O, "
    "1, I, L) hoặc hỏi lại thầy cô đường liên kết đúng."
)
EXPIRED_CODE = "Mã “{code}” đã hết hạn. Bạn hãy xin thầy cô mã mới."
JOINED = "Bạn đã đăng ký nhận tin của {label}. Gõ /dangky để xem các đăng ký, /huy để hủy."
JOINED_AGAIN = "Bạn đã đăng ký {label} từ trước rồi. Gõ /dangky để xem các đăng ký."
JOINED_ROLE = "Bạn được ghi nhận là {role}."
GROUP_JOINED = (
    "Nhóm này đã được đăng ký nhận tin của {label}. Các mẹo pháp luật của lớp sẽ được gửi vào đây."
)
GROUP_JOIN_REFUSED = (
    "Chỉ giáo viên chủ nhiệm của lớp (hoặc cán bộ pháp chế) mới đăng ký được cả nhóm chat. "
    "Muốn tự nhận tin, bạn hãy nhắn riêng cho mình: /dangky {code}"
)
NO_SUBSCRIPTIONS = (
    "Bạn chưa đăng ký nhận tin của lớp hay nhóm nào. Khi thầy cô gửi mã, hãy gõ "
    "/dangky MÃ hoặc bấm vào đường liên kết thầy cô gửi."
)
SUBSCRIPTIONS_HEADER = "Bạn đang nhận tin của:"
SUBSCRIPTIONS_FOOTER = "Muốn hủy, gõ /huy kèm số thứ tự, ví dụ: /huy 1"
LEAVE_WHICH = "Bạn muốn hủy đăng ký nào? Gõ /huy kèm số thứ tự trong danh sách /dangky."
LEAVE_UNKNOWN = "Không có đăng ký số “{which}”. Gõ /dangky để xem danh sách."
LEFT = "Đã hủy: bạn sẽ không nhận tin của {label} nữa."

# Permissions ---------------------------------------------------------------------------

TEACHERS_ONLY = (
    "Lệnh này chỉ dành cho giáo viên chủ nhiệm và cán bộ pháp chế. Nếu bạn là giáo viên, "
    "hãy xin cán bộ pháp chế của trường mã nhóm giáo viên."
)
OFFICERS_ONLY = "Chỉ cán bộ pháp chế mới gửi được tin cho đơn vị, theo vai trò hoặc cho tất cả."
PRIVATE_ONLY = "Hãy dùng lệnh này trong tin nhắn riêng với mình, không dùng trong nhóm."
NOT_YOUR_CLASS = (
    "Bạn chỉ gửi được cho lớp mình chủ nhiệm. “{name}” không phải lớp của bạn; "
    "gõ /lopcuatoi để xem các lớp của bạn."
)
UNKNOWN_TARGET = (
    "Không tìm thấy “{name}”. Hãy dùng tên lớp của bạn, mã đơn vị, hoặc: tatca, hocsinh, "
    "giaovien, canbo, phapche."
)
NO_CLASSES = "Bạn chưa đăng ký lớp nào. Tạo lớp bằng: /lopmoi 10A1"

# Classes -------------------------------------------------------------------------------

CLASS_USAGE = "Hãy gõ tên lớp, không có dấu cách, ví dụ: /lopmoi 10A1"
CLASS_NAME_SPACES = "Tên lớp không được có dấu cách (để gõ lệnh cho dễ), ví dụ: 10A1, 11-Toan."
CLASS_EXISTS = "Bạn đã có lớp “{name}” rồi (mã {code})."
CLASS_CREATED = (
    "Đã tạo lớp {name}. Mã tham gia: {code}\n"
    "Học sinh bấm vào liên kết này để nhận mẹo pháp luật của lớp:\n{link}\n"
    "Để đăng ký cả nhóm chat của lớp: thêm mình vào nhóm qua liên kết {group_link}\n"
    "hoặc gõ trong nhóm: /dangky {code}"
)
CLASS_LINE = "- {name}: mã {code}, {members} người nhận, {schedules} lịch gửi"
CLASSES_HEADER = "Các lớp của bạn:"

# Sending -------------------------------------------------------------------------------

SEND_USAGE = (
    "Cách gửi: /gui LỚP NỘI DUNG, hoặc /gui LỚP meo (mẹo tiếp theo trong thư viện), "
    "/gui LỚP meo T08 (mẹo theo chủ đề), /gui LỚP meo tip-t08-01 (một mẹo cụ thể)."
)
TEXT_EMPTY = "Nội dung tin nhắn đang trống."
TEXT_TOO_LONG = (
    "Nội dung dài quá: {length} ký tự, tối đa {limit}. Bạn hãy rút gọn hoặc chia thành nhiều tin."
)
AUDIENCE_EMPTY = (
    "{target} chưa có ai đăng ký nhận tin nên chưa gửi gì. Hãy gửi mã tham gia cho học sinh trước."
)
NO_TIP = "Thư viện chưa có mẹo phù hợp{topic}. Gõ /meo để xem các chủ đề có mẹo."
UNKNOWN_TIP = "Không có mẹo “{tip_id}”. Gõ /meo để xem các chủ đề có mẹo."
QUEUED = "Đã xếp tin #{id} gửi tới {label} ({count} người nhận). Khi gửi xong, mình sẽ báo lại."
QUEUED_QUIET = "Đang trong giờ yên lặng ({quiet}), tin sẽ được gửi từ {at}."
TIP_TOPICS_HEADER = "Các chủ đề có mẹo (gõ /gui LỚP meo MÃ-CHỦ-ĐỀ):"
TIP_TOPIC_LINE = "- {code}: {name} ({count} mẹo)"

# Schedules -----------------------------------------------------------------------------

SCHEDULE_USAGE = (
    "Cách đặt lịch: /lich LỚP LỊCH [CHỦ-ĐỀ], ví dụ /lich 10A1 thứ 2 07:00 hoặc "
    "/lich 10A1 thứ 2,5 06:45 T08. Gửi nội dung cố định: /lich 10A1 thứ 2 07:00 | Nội dung."
)
SCHEDULE_IN_QUIET = (
    "Giờ gửi {at} rơi vào giờ yên lặng ({quiet}), lúc đó mình không gửi tin. "
    "Hãy chọn giờ khác, ví dụ 07:00."
)
SCHEDULED = (
    "Đã đặt lịch #{id} gửi {what} tới {label} {when}. Lần gửi đầu: {first}.\n"
    "Tạm dừng: /tamdung {id}, tiếp tục: /tieptuc {id}, xóa: /xoalich {id}."
)
SCHEDULE_WHAT_TIP = "mẹo pháp luật"
SCHEDULE_WHAT_TOPIC = "mẹo pháp luật chủ đề {topic}"
SCHEDULE_WHAT_TEXT = "nội dung cố định"
NO_SCHEDULES = "Chưa có lịch gửi nào. Đặt lịch bằng: /lich 10A1 thứ 2 07:00"
SCHEDULES_HEADER = "Các lịch gửi:"
SCHEDULE_LINE = "#{id} {label}: {spec} ({what}) – {state}"
SCHEDULE_ACTIVE = "lần tới {next}"
SCHEDULE_PAUSED = "đang tạm dừng"
SCHEDULE_DONE = "đã xong"
SCHEDULE_ID_USAGE = "Hãy gõ số lịch, ví dụ: {command} 3. Gõ /lich để xem các lịch."
UNKNOWN_SCHEDULE = "Không có lịch #{id} của bạn. Gõ /lich để xem các lịch."
PAUSED = "Đã tạm dừng lịch #{id}. Gõ /tieptuc {id} để gửi lại."
RESUMED = "Lịch #{id} chạy lại; lần gửi tới: {next}."
DELETED = "Đã xóa lịch #{id}."

# Reports -------------------------------------------------------------------------------

NO_REPORTS = "Bạn chưa gửi tin nào."
REPORT_ID_USAGE = "Hãy gõ số tin, ví dụ: /baocao 12, hoặc /baocao để xem các tin gần nhất."
UNKNOWN_REPORT = "Không có tin #{id} do bạn gửi."

# Help ----------------------------------------------------------------------------------

HELP_MEMBER = (
    "Nhận mẹo pháp luật của lớp:\n"
    "- /dangky MÃ: đăng ký nhận tin bằng mã thầy cô gửi; /dangky: xem các đăng ký.\n"
    "- /huy SỐ: hủy một đăng ký."
)
HELP_TEACHER = (
    "Dành cho giáo viên chủ nhiệm:\n"
    "- /lopmoi 10A1: tạo lớp, nhận mã và đường liên kết cho học sinh.\n"
    "- /lopcuatoi: các lớp, mã, số người nhận.\n"
    "- /gui LỚP NỘI DUNG hoặc /gui LỚP meo [CHỦ-ĐỀ]: gửi ngay; /meo: các chủ đề có mẹo.\n"
    "- /lich LỚP thứ 2 07:00 [CHỦ-ĐỀ]: gửi mẹo định kỳ; /lich: xem lịch.\n"
    "- /tamdung SỐ, /tieptuc SỐ, /xoalich SỐ: tạm dừng, tiếp tục, xóa lịch.\n"
    "- /baocao [SỐ]: báo cáo các tin đã gửi."
)
HELP_OFFICER = (
    "Dành cho cán bộ pháp chế: /gui và /lich nhận thêm mã đơn vị (trường, Sở), "
    "tatca (mọi người), hocsinh, giaovien, canbo, phapche (theo vai trò)."
)
