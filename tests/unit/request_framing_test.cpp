// host/rest/request_framing.hpp: where one request ends in a connection's bytes.
#include "host/rest/request_framing.hpp"

#include <gtest/gtest.h>

#include <string>

namespace socrates::host::rest {
namespace {

const FramingLimits kLimits{/*max_head_bytes=*/1024, /*max_body_bytes=*/100};

TEST(RequestFramingTest, AHeadWithoutABodyEndsAtTheBlankLine) {
  const std::string request = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
  const Frame frame = frame_request(request + "GET /next", kLimits);
  ASSERT_EQ(frame.kind, Frame::Kind::kComplete);
  EXPECT_EQ(frame.length, request.size());
}

TEST(RequestFramingTest, AnIncompleteHeadAsksForMore) {
  const Frame frame = frame_request("GET /health HTTP/1.1\r\nHost: x\r\n", kLimits);
  EXPECT_EQ(frame.kind, Frame::Kind::kIncomplete);
  EXPECT_FALSE(frame.head_complete);
}

TEST(RequestFramingTest, AContentLengthBodyIsPartOfTheRequest) {
  const std::string head = "POST /p HTTP/1.1\r\ncontent-LENGTH:  5 \r\n\r\n";
  Frame frame = frame_request(head + "abc", kLimits);
  EXPECT_EQ(frame.kind, Frame::Kind::kIncomplete);
  EXPECT_TRUE(frame.head_complete);
  frame = frame_request(head + "abcdePOST", kLimits);
  ASSERT_EQ(frame.kind, Frame::Kind::kComplete);
  EXPECT_EQ(frame.length, head.size() + 5);
}

TEST(RequestFramingTest, TwoPipelinedRequestsAreCutOneAtATime) {
  const std::string first = "POST /a HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}";
  const std::string second = "GET /b HTTP/1.1\r\n\r\n";
  const std::string both = first + second;
  const Frame one = frame_request(both, kLimits);
  ASSERT_EQ(one.kind, Frame::Kind::kComplete);
  ASSERT_EQ(one.length, first.size());
  const Frame two = frame_request(both.substr(one.length), kLimits);
  ASSERT_EQ(two.kind, Frame::Kind::kComplete);
  EXPECT_EQ(two.length, second.size());
}

TEST(RequestFramingTest, BlankLinesBeforeARequestAreSkipped) {
  const std::string request = "\r\n\r\nGET / HTTP/1.1\r\n\r\n";
  const Frame frame = frame_request(request, kLimits);
  ASSERT_EQ(frame.kind, Frame::Kind::kComplete);
  EXPECT_EQ(frame.length, request.size());
}

TEST(RequestFramingTest, AHeadOverTheLimitIsRefusedAsSoonAsTheLimitIsPassed) {
  const std::string head = "GET / HTTP/1.1\r\nX-Big: " + std::string(2000, 'a');
  EXPECT_EQ(frame_request(head, kLimits).kind, Frame::Kind::kHeadTooLarge) << "no end of head in sight";
  EXPECT_EQ(frame_request(head + "\r\n\r\n", kLimits).kind, Frame::Kind::kHeadTooLarge) << "complete but too long";
  const std::string fits = "GET / HTTP/1.1\r\nX-Big: " + std::string(900, 'a') + "\r\n\r\n";
  EXPECT_EQ(frame_request(fits, kLimits).kind, Frame::Kind::kComplete);
}

TEST(RequestFramingTest, ADeclaredBodyOverTheLimitIsRefusedBeforeItArrives) {
  const Frame frame = frame_request("POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n", kLimits);
  EXPECT_EQ(frame.kind, Frame::Kind::kBodyTooLarge);
  EXPECT_EQ(frame_request("POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n", kLimits).kind, Frame::Kind::kIncomplete);
}

TEST(RequestFramingTest, AChunkedBodyEndsAfterItsLastChunkAndTrailers) {
  const std::string request =
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4\r\nWiki\r\n5;ext=1\r\npedia\r\n0\r\nX-Trailer: t\r\n\r\n";
  const Frame frame = frame_request(request + "GET", kLimits);
  ASSERT_EQ(frame.kind, Frame::Kind::kComplete);
  EXPECT_EQ(frame.length, request.size());
  for (std::size_t cut = request.size() - 1; cut > request.find("\r\n\r\n") + 4; cut -= 7)
    EXPECT_EQ(frame_request(request.substr(0, cut), kLimits).kind, Frame::Kind::kIncomplete) << cut;
}

TEST(RequestFramingTest, AChunkedRequestIsRewrittenWithItsBodyDecoded) {
  const std::string request =
      "POST /p HTTP/1.1\r\nHost: x\r\ntransfer-encoding: chunked\r\nX-After: 1\r\n\r\n"
      "4\r\nWiki\r\n5;ext=1\r\npedia\r\n0\r\nX-Trailer: t\r\n\r\n";
  const Frame frame = frame_request(request, kLimits);
  ASSERT_EQ(frame.kind, Frame::Kind::kComplete);
  ASSERT_TRUE(frame.chunked);
  EXPECT_EQ(unchunk(request), "POST /p HTTP/1.1\r\nHost: x\r\nX-After: 1\r\nContent-Length: 9\r\n\r\nWikipedia");
  const std::string empty = "POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
  EXPECT_EQ(unchunk(empty), "POST /p HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
  const Frame again = frame_request(unchunk(request), kLimits);
  EXPECT_EQ(again.kind, Frame::Kind::kComplete);
  EXPECT_FALSE(again.chunked);
}

TEST(RequestFramingTest, ChunkedDataOverTheLimitIsRefused) {
  const std::string request = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n" + std::string(64, 'a') +
                              "\r\n40\r\n";
  EXPECT_EQ(frame_request(request, kLimits).kind, Frame::Kind::kBodyTooLarge);
}

TEST(RequestFramingTest, AmbiguousFramingIsMalformed) {
  const char* cases[] = {
      "POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: 1e3\r\n\r\n",
      "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length : 5\r\n\r\n",
      "POST / HTTP/1.1\r\nX-A: 1\r\n folded\r\n\r\n",
      "POST / HTTP/1.1\r\nno colon here\r\n\r\n",
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n",
  };
  for (const char* request : cases) {
    const Frame frame = frame_request(request, kLimits);
    EXPECT_EQ(frame.kind, Frame::Kind::kMalformed) << request;
    EXPECT_FALSE(frame.reason.empty()) << request;
  }
  // The same value twice is one value.
  EXPECT_EQ(frame_request("POST / HTTP/1.1\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n", kLimits).kind,
            Frame::Kind::kComplete);
}

}  // namespace
}  // namespace socrates::host::rest
