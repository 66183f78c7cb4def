# ruff: noqa: B007, B905, E741, UP008 - written as tutorials write them, on purpose
"""Reinforcement learning: REINFORCE with Categorical, a DQN update.

Each script takes ``(torch, sync, data)`` (see ``tests/compat/_harness.py``).
"""

from __future__ import annotations

from . import _nn


# --- REINFORCE policy gradient (pytorch/examples style) ---------------------------------------
def train_reinforce(torch, sync, data):
    nn, F = _nn(torch)
    from_numpy = torch.from_numpy
    Categorical = torch.distributions.Categorical

    class Policy(nn.Module):
        def __init__(self):
            super(Policy, self).__init__()
            self.affine1 = nn.Linear(4, 16)
            self.dropout = nn.Dropout(p=0.0)
            self.affine2 = nn.Linear(16, 2)
            self.saved_log_probs = []
            self.rewards = []

        def forward(self, x):
            x = self.affine1(x)
            x = self.dropout(x)
            x = F.relu(x)
            return F.softmax(self.affine2(x), dim=1)

    policy = sync(Policy())
    optimizer = torch.optim.Adam(policy.parameters(), lr=1e-2)
    eps = 1e-7
    gamma = 0.99
    states, actions, rewards = data["states"], data["actions"], data["rewards"]
    losses, sampled = [], []
    for episode in range(3):
        for t in range(states.shape[1]):
            state = from_numpy(states[episode, t]).float().unsqueeze(0)
            probs = policy(state)
            m = Categorical(probs)
            sampled.append((tuple(m.sample().shape), str(m.sample().dtype).split(".")[-1]))
            action = torch.tensor([int(actions[episode, t])])   # the action the env took
            policy.saved_log_probs.append(m.log_prob(action))
            policy.rewards.append(float(rewards[episode, t]))
        R = 0
        returns = []
        for r in policy.rewards[::-1]:
            R = r + gamma * R
            returns.insert(0, R)
        returns = torch.tensor(returns)
        returns = (returns - returns.mean()) / (returns.std() + eps)
        policy_loss = []
        for log_prob, R in zip(policy.saved_log_probs, returns):
            policy_loss.append(-log_prob * R)
        optimizer.zero_grad()
        policy_loss = torch.cat(policy_loss).sum()
        policy_loss.backward()
        optimizer.step()
        del policy.rewards[:]
        del policy.saved_log_probs[:]
        losses.append(policy_loss.item())
    return {"losses": losses, "sampled": sampled[:2], "entropy":
            Categorical(logits=policy.affine2.weight).entropy().detach()}


# --- DQN update: gather, target network, soft update, smooth_l1, epsilon-greedy ----------------
def train_dqn(torch, sync, data):
    nn, F = _nn(torch)
    import copy

    class DQN(nn.Module):
        def __init__(self, n_obs, n_actions):
            super(DQN, self).__init__()
            self.layer1 = nn.Linear(n_obs, 32)
            self.layer2 = nn.Linear(32, 32)
            self.layer3 = nn.Linear(32, n_actions)

        def forward(self, x):
            x = F.relu(self.layer1(x))
            x = F.relu(self.layer2(x))
            return self.layer3(x)

    policy_net = sync(DQN(4, 2))
    target_net = DQN(4, 2)
    target_net.load_state_dict(policy_net.state_dict())
    optimizer = torch.optim.AdamW(policy_net.parameters(), lr=1e-3, amsgrad=True)
    GAMMA, TAU = 0.99, 0.05
    s, a, r, s2, done = (data[k] for k in ("s", "a", "r", "s2", "done"))
    losses, greedy = [], []
    for step in range(6):
        sl = slice(step * 16, (step + 1) * 16)
        state_batch = torch.tensor(s[sl], dtype=torch.float32)
        action_batch = torch.tensor(a[sl]).view(-1, 1)
        reward_batch = torch.tensor(r[sl], dtype=torch.float32)
        non_final_mask = torch.tensor(tuple(map(lambda d: not d, done[sl])), dtype=torch.bool)
        non_final_next_states = torch.cat([torch.tensor(x, dtype=torch.float32).unsqueeze(0)
                                           for x, d in zip(s2[sl], done[sl]) if not d])
        state_action_values = policy_net(state_batch).gather(1, action_batch)
        next_state_values = torch.zeros(16)
        with torch.no_grad():
            next_state_values[non_final_mask] = target_net(non_final_next_states).max(1).values
        expected = (next_state_values * GAMMA) + reward_batch
        criterion = nn.SmoothL1Loss()
        loss = criterion(state_action_values, expected.unsqueeze(1))
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_value_(policy_net.parameters(), 100)
        optimizer.step()
        target_net_state_dict = target_net.state_dict()
        policy_net_state_dict = policy_net.state_dict()
        for key in policy_net_state_dict:
            target_net_state_dict[key] = (policy_net_state_dict[key] * TAU
                                          + target_net_state_dict[key] * (1 - TAU))
        target_net.load_state_dict(target_net_state_dict)
        losses.append(loss.item())
        with torch.no_grad():
            greedy.append(policy_net(state_batch[:1]).max(1)[1].view(1, 1))
    best = copy.deepcopy(policy_net.state_dict())
    for p in policy_net.parameters():
        p.data.fill_(0.0)
    policy_net.load_state_dict(best)
    return {"losses": losses, "greedy": greedy, "target_w": target_net.layer3.weight,
            "restored": policy_net.layer3.bias}
