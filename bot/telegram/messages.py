"""Vietnamese texts that only the Telegram channel shows; the dialog's own are in
``knowledge.messages``."""

from __future__ import annotations

BUTTON_UP = "👍 Hữu ích"
BUTTON_DOWN = "👎 Chưa đúng ý"
BUTTON_BACK_TO_TOPICS = "« Các chủ đề"

SUGGEST_HINT = "Bấm vào câu hỏi đúng ý bạn, hoặc gõ lại câu hỏi rõ hơn."

JOIN_UNKNOWN = (
    "Mã tham gia “{code}” không được nhận ra, hoặc việc tham gia lớp/nhóm qua bot chưa được mở. "
    "Bạn hãy hỏi lại thầy cô đường liên kết đúng. Trong lúc đó bạn vẫn hỏi đáp bình thường được."
)
JOIN_INVALID = (
    "Đường liên kết tham gia không hợp lệ. Bạn hãy hỏi lại thầy cô đường liên kết đúng; "
    "trong lúc đó bạn vẫn hỏi đáp bình thường được."
)

FLOOD = (
    "Bạn đang gửi nhiều câu hỏi quá nhanh. Mình tạm dừng trả lời một chút; "
    "khoảng {seconds} giây nữa bạn gửi tiếp nhé."
)
FLOOD_SHORT = "Bạn bấm nhanh quá, đợi một chút rồi thử lại nhé."

UNSUPPORTED = (
    "Mình chỉ đọc được tin nhắn chữ, chưa xem được ảnh, nhãn dán, tệp hay tin nhắn thoại. "
    "Bạn hãy gõ câu hỏi bằng chữ nhé."
)
EDITED = (
    "Mình không đọc lại tin nhắn đã sửa. Nếu bạn muốn hỏi lại, hãy gửi câu hỏi thành "
    "một tin nhắn mới nhé."
)
UNKNOWN_COMMAND = "Mình không biết lệnh này. Gõ /help để xem các lệnh, hoặc gõ thẳng câu hỏi."
GROUP_HELLO = (
    "Chào cả lớp! Mình là trợ lý hỏi đáp pháp luật tự động. Trong nhóm, mình chỉ trả lời khi "
    "được nhắc tên (@{username}), khi có người trả lời tin nhắn của mình, hoặc qua lệnh như "
    "/help. Muốn hỏi riêng, hãy nhắn tin trực tiếp cho mình."
)
GROUP_EMPTY_MENTION = (
    "Bạn hãy nhắc tên mình kèm câu hỏi, ví dụ: @{username} mấy tuổi được đi xe máy?"
)

STALE_BUTTON = "Nút này đã cũ hoặc không còn hiệu lực. Bạn hãy gõ lại câu hỏi nhé."

COMMANDS = {
    "start": "Bắt đầu và lời chào",
    "help": "Hướng dẫn sử dụng",
    "chude": "Xem câu hỏi theo chủ đề",
    "hoicanbo": "Chuyển câu hỏi vừa rồi cho cán bộ pháp chế",
    "dangky": "Đăng ký nhận mẹo pháp luật của lớp (kèm mã)",
    "huy": "Hủy một đăng ký nhận tin",
}
