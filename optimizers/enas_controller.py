"""The ENAS micro controller as the NAS-Bench-1Shot1 code uses it
(docs/original-code.md#enas-controller).

An LSTM cell walks the cell's nodes. Two priming steps create the anchors of the input
(node 0) and of choice block 1 (whose only parent is the input); then for each later node
(choice blocks 2..k and the output) it attends over the earlier nodes' anchors (a
bias-free `v_attn`: 41,987 parameters at 64 units) to sample the node's required number
of parents without replacement, and samples one op, which the original assigns to the
*previous* choice block (block j's op is drawn at the step that chooses node j+1's
parents). After each node the LSTM input is reset to the embedding of token 0, as the
original does; `tests/test_enas_controller_original.py` checks sample-for-sample equality
with a re-derivation of the original recurrence. The log-probability it returns is the
original's, not the exact one: per node, the mean cross-entropy of the sampled parents
under one softmax. Op logits are kept in the original's column order [maxpool, conv3x3, conv1x1] (so
`b_soft` = [10, 10, 0] means what it meant there) and mapped to NB101 labels on output.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from nb1s.enumerate import Config, SearchSpace

#: NB101 op label (`nb1s.enumerate.OPS`) of each of the original's op columns
ORIGINAL_OP_ORDER = (2, 0, 1)  # maxpool3x3, conv3x3-bn-relu, conv1x1-bn-relu
INIT_RANGE = 0.1


@dataclass
class ControllerSample:
    """One sampled architecture with the terms REINFORCE needs."""

    config: Config
    #: sum over decisions of -log p (parents: mean cross-entropy per node), with graph
    neg_log_prob: torch.Tensor
    #: sum of the per-decision entropies (detached)
    entropy: torch.Tensor


class Controller(nn.Module):
    """LSTM policy over (parents, op) decisions of one search space."""

    def __init__(self, space: SearchSpace, lstm_size: int = 64, temperature: float = 5.0,
                 tanh_constant: float = 2.5, op_tanh_reduce: float = 5.0) -> None:
        super().__init__()
        self.space = space
        self.temperature = temperature
        self.tanh_constant = tanh_constant
        self.op_tanh_reduce = op_tanh_reduce
        self.encoder = nn.Embedding(4, lstm_size)
        self.lstm = nn.LSTMCell(lstm_size, lstm_size)
        self.w_soft = nn.Linear(lstm_size, 3, bias=False)
        self.w_attn_1 = nn.Linear(lstm_size, lstm_size, bias=False)
        self.w_attn_2 = nn.Linear(lstm_size, lstm_size, bias=False)
        self.v_attn = nn.Linear(lstm_size, 1, bias=False)  # the original's has no bias
        for p in self.parameters():
            nn.init.uniform_(p, -INIT_RANGE, INIT_RANGE)
        self.b_soft = nn.Parameter(torch.tensor([10.0, 10.0, 0.0]))
        self.register_buffer("b_soft_fixed", torch.tensor([0.25, 0.25, -0.25]))

    def op_logits(self, h: torch.Tensor) -> torch.Tensor:
        """(w_soft h + b_soft) / T, squashed by (tanh_constant / op_tanh_reduce) tanh."""
        logits = (self.w_soft(h) + self.b_soft) / self.temperature
        logits = self.tanh_constant / self.op_tanh_reduce * torch.tanh(logits)
        fixed = self.b_soft_fixed
        assert isinstance(fixed, torch.Tensor)
        return logits + fixed

    def forward(self) -> ControllerSample:
        """Sample one architecture (call under `torch.no_grad()` when only sampling)."""
        space = self.space
        device = self.b_soft.device
        zero_input = self.encoder(torch.zeros(1, dtype=torch.long, device=device))
        state = None
        anchors: list[torch.Tensor] = []
        keys: list[torch.Tensor] = []
        for _ in range(2):  # anchors of node 0 and node 1
            state = self.lstm(zero_input, state)
            anchors.append(torch.zeros_like(state[0]))
            keys.append(self.w_attn_1(state[0]))
        inputs = zero_input
        dtype = self.b_soft.dtype
        neg_log_prob = torch.zeros((), dtype=dtype, device=device)
        entropy = torch.zeros((), dtype=dtype, device=device)
        parents: list[tuple[int, ...]] = [space.parent_options[0][0]]
        ops: list[int] = []
        for node in range(2, space.num_nodes):
            state = self.lstm(inputs, state)
            h = state[0]
            query = torch.tanh(torch.cat(keys, dim=0) + self.w_attn_2(h))
            logits = self.v_attn(query).view(1, -1) / self.temperature
            logits = self.tanh_constant * torch.tanh(logits)
            chosen = torch.multinomial(torch.softmax(logits, dim=-1),
                                       space.num_parents(node), replacement=False).view(-1)
            log_p = torch.log_softmax(logits, dim=-1)[0]
            neg_log_prob = neg_log_prob - log_p[chosen].mean()
            entropy = entropy - (log_p.exp() * log_p).sum().detach()
            parents.append(tuple(sorted(int(i) for i in chosen)))
            inputs = anchors[int(chosen[-1])]
            state = self.lstm(inputs, state)
            op_logits = self.op_logits(state[0])
            op = torch.multinomial(torch.softmax(op_logits, dim=-1), 1).view(-1)
            op_log_p = torch.log_softmax(op_logits, dim=-1)[0]
            neg_log_prob = neg_log_prob - op_log_p[op[0]]
            entropy = entropy - (op_log_p.exp() * op_log_p).sum().detach()
            ops.append(ORIGINAL_OP_ORDER[int(op[0])])
            inputs = self.encoder(op + 1)
            state = self.lstm(inputs, state)
            anchors.append(state[0])
            keys.append(self.w_attn_1(state[0]))
            inputs = zero_input  # the original feeds token 0 again before the next node
        return ControllerSample(Config(parents=tuple(parents), ops=tuple(ops)), neg_log_prob,
                                entropy)
